"""``python -m bench.run --n 100000 [--db sqlite|postgresql]``: Keshang against the raw limit (issue 5).

Generates the workload, runs Keshang's steps a–f on a fresh database (its own KESHANG_VAR_DIR; on
PostgreSQL a throwaway database beside DATABASE_URL's) and the raw limit's a–e on the same data, prints
the table and writes ``bench/results/<date>-<db>.json``. Without ``--db``: SQLite, and PostgreSQL too
when DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import raw_limit
from bench import workload as wl

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent

# Issue 5's targets at N = 100,000 on the 2-core machine.
TARGETS = {
    "a_import_customers": "≥ 5,000/s and ≤ 20× raw",
    "b_products": "-",
    "c_orders": "≥ 200/s",
    "d_search_selector": "p95 ≤ 10 ms",
    "d_search_http": "p95 ≤ 30 ms",
    "e_report": "≤ 3× raw",
    "f_list_page_http": "p95 ≤ 60 ms",
    "memory": "web ≤ 250 MB, import ≤ 600 MB",
}


def _keshang(command: str, env: dict, *extra: str) -> dict:
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "bench.keshang_bench", command, *extra],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if process.returncode:
        sys.stderr.write(process.stdout[-4000:] + process.stderr[-8000:])
        raise SystemExit(f"bench.keshang_bench {command} failed ({process.returncode})")
    result = json.loads(process.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(time.perf_counter() - started, 2)
    return result


def _git() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _dirty() -> bool:
    """Whether the work tree had uncommitted changes: the figures are then those of the tree, not the commit."""
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return False
    return bool(status.stdout.strip())


def _machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        memory_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
    }


def run_keshang(n: int, seed: int, db: str, work: Path, args) -> dict:
    env = {**os.environ, "KESHANG_VAR_DIR": str(work / "var"), "DJANGO_SETTINGS_MODULE": "keshang.settings"}
    env.pop("KESHANG_TESTING", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    dropped = None
    if db == "postgresql":
        import psycopg
        from psycopg import sql

        name = f"keshang_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_libpq_url(os.environ["DATABASE_URL"]), autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        dropped = name
        env["DATABASE_URL"] = _with_database(os.environ["DATABASE_URL"], name)
    else:
        env.pop("DATABASE_URL", None)
    try:
        csv_path = wl.generate(n, seed).write_customers_csv(work / "customers.csv")
        common = ["--n", str(n), "--seed", str(seed)]
        result = {"prepare": _keshang("prepare", env, *common)}
        extra = ["--profile", str(work / "import.prof")] if args.profile else []
        result["a"] = _keshang("import", env, *common, "--csv", str(csv_path), *extra)
        extra = ["--profile", str(work / "steps.prof")] if args.profile else []
        if args.queries:
            extra.append("--queries")
        if args.order_seconds:
            extra += ["--order-seconds", str(args.order_seconds)]
        if args.no_http:
            extra.append("--no-http")
        result.update(_keshang("steps", env, *common, *extra))
    finally:
        if dropped:
            import psycopg
            from psycopg import sql

            with psycopg.connect(_libpq_url(os.environ["DATABASE_URL"]), autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dropped)))
    return result


def _libpq_url(url: str) -> str:
    """DATABASE_URL as libpq reads it (django-environ also accepts postgres:// and pgsql://)."""
    for scheme in ("pgsql://", "postgis://"):
        if url.startswith(scheme):
            return "postgresql://" + url[len(scheme) :]
    return url


def _with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _ratio(keshang: float, raw: float, *, slower_is_higher: bool) -> float | None:
    if not keshang or not raw:
        return None
    return round(raw / keshang if slower_is_higher else keshang / raw, 1)


def shape(db: str, n: int, keshang: dict, raw: dict) -> dict:
    """The results JSON of issue 5, with extra keys (targets, machine, sub-step timings)."""
    report_correct = bool(keshang["e"]["correct"] and raw["e"]["correct"])
    steps = {
        "a_import_customers": {
            "keshang_per_s": keshang["a"]["per_s"],
            "raw_per_s": raw["a"]["per_s"],
            "keshang_s": keshang["a"]["seconds"],
            "parse_s": keshang["a"]["parse_s"],
            "raw_s": raw["a"]["seconds"],
        },
        "b_products": {"keshang_per_s": keshang["b"]["per_s"], "raw_per_s": raw["b"]["per_s"]},
        "c_orders": {
            "keshang_per_s": keshang["c"]["per_s"],
            "raw_per_s": raw["c"]["per_s"],
            "keshang_orders": keshang["c"]["orders"],
            "of": keshang["c"]["of"],
            "complete": keshang["c"]["complete"],
        },
        "d_search_selector": {
            "p50_ms": keshang["d_selector"]["p50_ms"],
            "p95_ms": keshang["d_selector"]["p95_ms"],
            "raw_p50_ms": raw["d"]["p50_ms"],
            "raw_p95_ms": raw["d"]["p95_ms"],
            "empty_results": keshang["d_selector"]["empty"],
            "raw_empty_results": raw["d"]["empty"],
        },
        "e_report": {
            "keshang_s": keshang["e"]["keshang_s"],
            "raw_s": raw["e"]["raw_s"],
            "correct": report_correct,
            "keshang_correct": keshang["e"]["correct"],
            "raw_correct": raw["e"]["correct"],
            "groups": keshang["e"]["groups"],
        },
    }
    if "d_search_http" in keshang:
        steps["d_search_http"] = keshang["d_search_http"]
        steps["f_list_page_http"] = keshang["f_list_page_http"]
    steps["memory"] = {
        "web_rss_mb": keshang.get("web_memory", {}).get("VmRSS"),
        "web_peak_mb": keshang.get("web_memory", {}).get("VmHWM"),
        "import_peak_mb": keshang["a"]["peak_rss_mb"],
    }
    result = {
        "db": db,
        "n": n,
        "git": _git(),
        "git_dirty": _dirty(),
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
        "steps": steps,
        "targets": TARGETS,
        "machine": _machine(),
        "keshang_detail": keshang,
        "raw_detail": raw,
    }
    return result


def table(result: dict, *, markdown: bool = False) -> str:
    """The printed table (or, with ``markdown``, the one bench/README.md quotes)."""
    s = result["steps"]
    rows = [("step", "Keshang", "raw limit", "ratio", "target", "met?")]

    def add(step, keshang, raw, ratio, target, met):
        rows.append((step, keshang, raw, ratio, target, {True: "yes", False: "NO", None: "-"}[met]))

    a = s["a_import_customers"]
    ratio = a["raw_per_s"] / a["keshang_per_s"]
    add(
        "a import /s",
        f"{a['keshang_per_s']:,.0f}",
        f"{a['raw_per_s']:,.0f}",
        f"{ratio:.1f}× slower",
        TARGETS["a_import_customers"],
        a["keshang_per_s"] >= 5000 and ratio <= 20,
    )
    b = s["b_products"]
    add(
        "b products /s",
        f"{b['keshang_per_s']:,.0f}",
        f"{b['raw_per_s']:,.0f}",
        f"{b['raw_per_s'] / b['keshang_per_s']:.0f}× slower",
        "-",
        None,
    )
    c = s["c_orders"]
    partial = "" if c["complete"] else f" ({c['keshang_orders']:,} of {c['of']:,})"
    add(
        "c orders /s",
        f"{c['keshang_per_s']:,.1f}{partial}",
        f"{c['raw_per_s']:,.0f}",
        f"{c['raw_per_s'] / c['keshang_per_s']:.0f}× slower",
        TARGETS["c_orders"],
        c["keshang_per_s"] >= 200,
    )
    d = s["d_search_selector"]
    add(
        "d search selector p50/p95 ms",
        f"{d['p50_ms']:.2f} / {d['p95_ms']:.2f}",
        f"{d['raw_p50_ms']:.2f} / {d['raw_p95_ms']:.2f}",
        f"{d['p95_ms'] / max(d['raw_p95_ms'], 1e-6):.1f}× (p95)",
        TARGETS["d_search_selector"],
        d["p95_ms"] <= 10,
    )
    if "d_search_http" in s:
        h = s["d_search_http"]
        add(
            "d search HTTP p50/p95 ms",
            f"{h['p50_ms']:.2f} / {h['p95_ms']:.2f}",
            "-",
            "-",
            TARGETS["d_search_http"],
            h["p95_ms"] <= 30,
        )
    e = s["e_report"]
    ratio = e["keshang_s"] / max(e["raw_s"], 1e-9)
    add(
        "e report s",
        f"{e['keshang_s']:.3f} ({'correct' if e['correct'] else 'WRONG'})",
        f"{e['raw_s']:.3f}",
        f"{ratio:.1f}×",
        TARGETS["e_report"],
        ratio <= 3 and e["correct"],
    )
    if "f_list_page_http" in s:
        f = s["f_list_page_http"]
        add(
            "f list page p50/p95 ms",
            f"{f['p50_ms']:.2f} / {f['p95_ms']:.2f}",
            "-",
            "-",
            TARGETS["f_list_page_http"],
            f["p95_ms"] <= 60,
        )
    m = s["memory"]
    web = m["web_rss_mb"]
    add(
        "memory MB (web RSS / import peak)",
        f"{web} / {m['import_peak_mb']}",
        "-",
        "-",
        TARGETS["memory"],
        (web is None or web <= 250) and m["import_peak_mb"] <= 600,
    )
    if markdown:
        lines = ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
        lines.insert(1, "|" + " --- |" * len(rows[0]))
        return "\n".join(lines)
    widths = [max(len(str(row[index])) for row in rows) for index in range(len(rows[0]))]
    lines = [" | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)  # fmt: skip


def run(db: str, n: int, seed: int, args) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"keshang-bench-{db}-"))
    try:
        print(f"[{db}] N={n:,}: Keshang …", flush=True)
        keshang = run_keshang(n, seed, db, work, args)
        print(f"[{db}] raw limit …", flush=True)
        workload = wl.generate(n, seed)
        if db == "postgresql":
            raw = raw_limit.run_postgresql(workload, _libpq_url(os.environ["DATABASE_URL"]))
        else:
            raw = raw_limit.run_sqlite(workload, work)
        result = shape(db, n, keshang, raw)
        results = Path(args.results)
        results.mkdir(parents=True, exist_ok=True)
        path = results / f"{result['date']}-{db}.json"
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n")
        print(f"\n{db}, N = {n:,} ({path}):\n{table(result)}\n", flush=True)
        if args.profile:
            print(f"profiles: {work}/import.prof, {work}/steps.prof (kept)")
        return result
    finally:
        if not args.profile:
            shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=wl.SEED)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--profile", action="store_true", help="keep cProfile files of Keshang's steps")
    parser.add_argument("--queries", action="store_true", help="count SQL queries per operation (slower)")
    parser.add_argument("--order-seconds", type=float, help="stop Keshang's step c after this many seconds")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP steps (d over HTTP, f, web memory)")
    parser.add_argument("--results", default=str(RESULTS), help="where to write <date>-<db>.json")
    args = parser.parse_args(argv)
    databases = args.db or (["sqlite", "postgresql"] if os.environ.get("DATABASE_URL") else ["sqlite"])
    if "postgresql" in databases and not os.environ.get("DATABASE_URL"):
        parser.error("--db postgresql needs DATABASE_URL")
    for db in databases:
        run(db, args.n, args.seed, args)


if __name__ == "__main__":
    main()
