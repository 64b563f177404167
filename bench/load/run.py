"""``python -m bench.load.run`` (``make load``, issue 6): 50 simulated users against gunicorn on PostgreSQL.

1. PostgreSQL: without DATABASE_URL a throwaway cluster (scripts/pg-throwaway.sh), stopped at the end;
   with DATABASE_URL a throwaway database on that server, dropped at the end.
2. A fresh KESHANG_VAR_DIR: ``keshang setup --no-demo``, the bench's organisation (a sales manager over 9
   reps in three groups, bench/README.md), N customers through the importer, 100 products.
3. gunicorn as ``keshang serve`` starts it (WEB_CONCURRENCY workers, default 2, × 4 threads) on a free port of
   127.0.0.1, without the Huey consumer (nothing in the scenario queues a job).
4. locust, headless (bench/load/locustfile.py): search 4, list page 3, detail 3, quotation 1, order 1.
5. The table per endpoint (requests, failures, req/s, p50/p95/p99), the server's status codes from its access
   log, and a check of what the run wrote (every confirmed order there, numbers unique and gap-free);
   the figures go to ``bench/results/<date>-load.json``. Exit 1 on any failed request, 5xx, server traceback
   or worker timeout, or a write the clients saw succeed that is not in the database.

Ctrl-C or SIGTERM stops the server and removes the database on the way out.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.util
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from bench import run as bench_run
from bench import workload as wl
from bench.keshang_bench import percentile

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
PG_THROWAWAY = ROOT / "scripts" / "pg-throwaway.sh"
WEB_THREADS = 4  # keshang serve's (its workers: WEB_CONCURRENCY, default 2)
ENDPOINT_ORDER = [
    "search partners (API)",
    "partner list (page)",
    "partner detail (API)",
    "partner outside scope (API, 404)",
    "create quotation (API)",
    "create order (API)",
    "confirm order (API)",
    "login form",
    "login",
]


def seconds(text: str) -> int:
    """A duration ("2m", "90s", "1m30s", "1h" or plain seconds), as locust's --run-time reads them."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", text.strip())
    if not text.strip() or match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 2m, 90s)")
    hours, minutes, secs = (int(part or 0) for part in match.groups())
    total = hours * 3600 + minutes * 60 + secs
    if total <= 0:
        raise argparse.ArgumentTypeError("the duration must be positive")
    return total


def say(message: str) -> None:
    print(f"[load] {message}", flush=True)


def _run(command: list[str], env: dict, what: str) -> str:
    process = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if process.returncode:
        sys.stderr.write(process.stdout[-4000:] + process.stderr[-8000:])
        raise SystemExit(f"{what} failed ({process.returncode})")
    return process.stdout


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


#
# PostgreSQL
#


def throwaway_cluster(stack: contextlib.ExitStack) -> tuple[str, int | None]:
    """Start a cluster with scripts/pg-throwaway.sh (stdout: export lines) and stop it when the stack closes;
    answers its DATABASE_URL and the postmaster's pid (for its CPU time)."""
    say("starting a throwaway PostgreSQL cluster (scripts/pg-throwaway.sh)")
    started = subprocess.run([str(PG_THROWAWAY), "start"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if started.returncode:
        raise SystemExit("scripts/pg-throwaway.sh start failed")
    exports = {}
    for line in started.stdout.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export":
            key, _sep, value = words[1].partition("=")
            exports[key] = value
    cluster = exports.get("KESHANG_PG_DIR")
    if cluster:
        stack.callback(subprocess.run, [str(PG_THROWAWAY), "stop", cluster], cwd=ROOT)
    if not cluster or not exports.get("DATABASE_URL"):
        raise SystemExit(f"unexpected output of scripts/pg-throwaway.sh start: {started.stdout!r}")
    try:
        postmaster = int((Path(cluster) / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        postmaster = None
    return exports["DATABASE_URL"], postmaster


def throwaway_database(stack: contextlib.ExitStack, server_url: str) -> tuple[str, None]:
    """A fresh database on DATABASE_URL's server (the role needs CREATE DATABASE), dropped when the stack closes."""
    import psycopg
    from psycopg import sql

    admin_url = bench_run._libpq_url(server_url)
    name = f"keshang_load_{uuid.uuid4().hex[:12]}"
    say(f"creating database {name} on DATABASE_URL's server")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    stack.callback(drop)
    return bench_run._with_database(server_url, name), None  # another server's processes are not measured


#
# The server
#


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(stack: contextlib.ExitStack, env: dict, work: Path, workers: int, threads: int) -> tuple[str, int]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "gunicorn", "keshang.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--graceful-timeout", "10", "--no-control-socket",
        # Status, method, the server's own time (µs), path and time: the 5xx count does not rely on the client.
        "--access-logfile", str(work / "access.log"), "--access-logformat", "%(s)s %(m)s %(D)s %(U)s %(t)s",
    ]  # fmt: skip
    say(f"starting gunicorn ({workers} workers × {threads} threads) on {url}")
    # gunicorn's own messages and Django's error log (tracebacks) go to one file, counted after the run.
    log = stack.enter_context(open(work / "gunicorn.log", "wb"))  # noqa: SIM115 (closed by the stack)
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)

    def stop():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    stack.callback(stop)
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=10) as response:
                if response.status == 200:
                    return url, process.pid
        except urllib.error.HTTPError as error:
            # Up, but broken: no use waiting (a 500 here is usually a URL or template error in the tree).
            sys.stderr.write((work / "gunicorn.log").read_text(errors="replace")[-6000:])
            raise SystemExit(f"the server answers GET /login/ with HTTP {error.code}") from None
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            sys.stderr.write((work / "gunicorn.log").read_text(errors="replace")[-8000:])
            raise SystemExit("gunicorn did not start")
        time.sleep(0.3)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_s(pid: int | None) -> float | None:
    """CPU seconds of a process and its live children (with the children they have reaped), from /proc."""
    if pid is None:
        return None
    total = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for process in [pid, *map(int, children)]:
            # Fields after the command's closing parenthesis; utime, stime, cutime, cstime are the 12th to 15th.
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])
    except (OSError, ValueError):
        return None
    return total / CLOCK_TICKS


def machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (all cores, everyone's processes), from /proc/stat."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS  # less idle and iowait


class CpuShare:
    """Where the machine's CPU went during the run, in cores: the server, PostgreSQL, locust, everyone else."""

    def __init__(self, gunicorn: int, postmaster: int | None):
        self.pids = {"gunicorn": gunicorn, "postgresql": postmaster}
        self.started = time.monotonic()
        self.machine = machine_busy_s()
        self.locust = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.before = {name: tree_cpu_s(pid) for name, pid in self.pids.items()}

    def stop(self) -> dict:
        elapsed = time.monotonic() - self.started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        shares = {}
        for name, pid in self.pids.items():
            now, before = tree_cpu_s(pid), self.before[name]
            shares[name] = None if now is None or before is None else round((now - before) / elapsed, 2)
        # locust is the only child that ends during the run.
        used = after.ru_utime + after.ru_stime - self.locust.ru_utime - self.locust.ru_stime
        shares["locust"] = round(used / elapsed, 2)
        shares["machine"] = round((machine_busy_s() - self.machine) / elapsed, 2)
        known = [value for key, value in shares.items() if key != "machine" and value is not None]
        shares["others"] = round(max(0.0, shares["machine"] - sum(known)), 2)
        return {**shares, "cores": os.cpu_count(), "seconds": round(elapsed, 1)}


# The server's side of each endpoint, by method and path in the access log (the client's names).
SERVER_PATHS = [
    ("GET", re.compile(r"/api/v1/partners/partners/"), "search partners (API)"),
    ("GET", re.compile(r"/partners/"), "partner list (page)"),
    ("GET", re.compile(r"/api/v1/partners/partners/\d+/"), "partner detail (API)"),
    ("POST", re.compile(r"/api/v1/sales/quotations/"), "create quotation (API)"),
    ("POST", re.compile(r"/api/v1/sales/orders/"), "create order (API)"),
    ("POST", re.compile(r"/api/v1/sales/orders/\d+/confirm/"), "confirm order (API)"),
    ("GET", re.compile(r"/login/"), "login form"),
    ("POST", re.compile(r"/login/"), "login"),
]


def server_side(work: Path, steady_from: float | None) -> dict:
    """From gunicorn's access log: responses per status class, the lines of any 5xx, and the server's own time
    per endpoint (p50/p95 ms: what is left of the client's figure is queueing and the client), over the whole
    run and from ``steady_from`` (epoch seconds); from its error log the tracebacks and worker timeouts."""
    counts = {"2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0}
    errors = []
    times: dict[str, dict[str, list[float]]] = {"whole_run": {}, "steady": {}}
    access = work / "access.log"
    for line in access.read_text(errors="replace").splitlines() if access.exists() else []:
        status, method, micros, path, logged = (line.split(" ", 4) + [""] * 5)[:5]
        if not status.isdigit() or f"{status[0]}xx" not in counts:
            continue
        counts[f"{status[0]}xx"] += 1
        if status[0] == "5":
            errors.append(line)
        try:
            # Logged when the response ended (to the second): it started about its own time earlier.
            started = datetime.datetime.strptime(logged, "[%d/%b/%Y:%H:%M:%S %z]").timestamp() - int(micros) / 1e6
        except ValueError:
            started = None
        for verb, pattern, name in SERVER_PATHS:
            if verb == method and pattern.fullmatch(path):
                if name == "partner detail (API)" and status == "404":
                    name = "partner outside scope (API, 404)"
                times["whole_run"].setdefault(name, []).append(int(micros) / 1000)
                if steady_from is not None and started is not None and started >= steady_from - 1:
                    times["steady"].setdefault(name, []).append(int(micros) / 1000)
                break
    server_ms = {
        window: {
            name: {"p50_ms": round(percentile(values, 0.5), 1), "p95_ms": round(percentile(values, 0.95), 1)}
            for name, values in by_name.items()
        }
        for window, by_name in times.items()
    }
    log = (work / "gunicorn.log").read_text(errors="replace") if (work / "gunicorn.log").exists() else ""
    return {
        **counts,
        "server_errors": errors[:20],
        "tracebacks": log.count("Traceback (most recent call last)"),
        "worker_timeouts": log.count("WORKER TIMEOUT"),
        "server_ms": server_ms,
    }


#
# Locust and its figures
#


def run_locust(env: dict, url: str, work: Path, args) -> dict:
    """Run locust headless; the locustfile writes the figures (KESHANG_LOAD_STATS) when the test stops."""
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
        "--host", url, "--only-summary", "--stop-timeout", "15", "--loglevel", "WARNING",
    ]  # fmt: skip
    say(f"locust: {args.users} users, spawn rate {args.spawn_rate}/s, {args.duration} s, think {args.think} s")
    figures = work / "figures.json"
    with open(work / "locust.log", "wb") as log:
        subprocess.run(command, env={**env, "KESHANG_LOAD_STATS": str(figures)}, cwd=work, stdout=log, stderr=log)
    if not figures.exists():
        sys.stderr.write((work / "locust.log").read_text(errors="replace")[-8000:])
        raise SystemExit("locust wrote no figures")
    result = json.loads(figures.read_text())
    for window in ("whole_run", "steady"):
        if result.get(window):
            endpoints = result[window]["endpoints"]
            ordered = {name: endpoints[name] for name in ENDPOINT_ORDER if name in endpoints}
            ordered.update({name: values for name, values in endpoints.items() if name not in ordered})
            result[window]["endpoints"] = ordered
    return result


def table(endpoints: dict, total: dict, server_ms: dict, *, markdown: bool = False) -> str:
    """Per endpoint: the client's figures (locust), and the server's own p50/p95 (gunicorn's access log)."""

    def ms(value):
        return "-" if value is None else f"{value:,.0f}"

    header = ("endpoint", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "server p50/p95")
    rows = [header]
    for name, figures in [*endpoints.items(), ("total", total)]:
        server = server_ms.get(name)
        rows.append(
            (
                name,
                f"{figures['requests']:,}",
                f"{figures['failures']:,}",
                f"{figures['rps']:.1f}",
                ms(figures["p50_ms"]),
                ms(figures["p95_ms"]),
                ms(figures["p99_ms"]),
                ms(figures["max_ms"]),
                f"{ms(server['p50_ms'])} / {ms(server['p95_ms'])}" if server else "-",
            )
        )
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(1, "| --- |" + " ---: |" * (len(header) - 1))
        return "\n".join(lines)
    widths = [max(len(row[index]) for row in rows) for index in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) if index == 0 else cell.rjust(width) for index, (cell, width) in
                  enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]  # fmt: skip
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def integrity(written: dict, endpoints: dict) -> dict:
    """Every write the clients saw succeed is in the database, and nothing more."""

    def succeeded(name: str) -> int:
        figures = endpoints.get(name, {"requests": 0, "failures": 0})
        return figures["requests"] - figures["failures"]

    expected = {
        "quotations": succeeded("create quotation (API)"),
        "orders": succeeded("create order (API)"),
        "confirmed": succeeded("confirm order (API)"),
    }
    found = {
        "quotations": written["quotations"],
        "orders": written["orders"],
        "confirmed": written["orders_by_status"].get("confirmed", 0),
    }
    ok = expected == found and written["numbers_unique"] and written["numbers_gap_free"]
    return {"ok": ok, "expected": expected, "found": found, **written}


#
# The run
#


def prepare(env: dict, work: Path, customers: int) -> tuple[float, dict]:
    """keshang setup, the organisation, the customers (through the importer) and the fixture, in subprocesses."""
    common = ["--n", str(customers)]
    started = time.perf_counter()
    say(f"keshang setup and the sales organisation in {work}")
    _run([sys.executable, "-m", "bench.keshang_bench", "prepare", *common], env, "setup")
    say(f"importing {customers:,} customers")
    csv_path = wl.generate(customers).write_customers_csv(work / "customers.csv")
    _run([sys.executable, "-m", "bench.keshang_bench", "import", *common, "--csv", str(csv_path)], env, "import")
    command = [sys.executable, "-m", "bench.load.seed", "prepare", *common, "--out", env["KESHANG_LOAD_FIXTURE"]]
    seeded = _last_json(_run(command, env, "seed"))
    setup_s = round(time.perf_counter() - started, 1)
    say(f"data ready in {setup_s} s: {seeded}")
    return setup_s, seeded


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=seconds, default=seconds("2m"), help="e.g. 2m, 90s (default 2m)")
    parser.add_argument("--think", default="0.5-1.5", help="seconds each user waits between requests (min-max)")
    parser.add_argument("--partners", type=int, default=5000, help="customers imported before the run")
    parser.add_argument("--quick", action="store_true", help="5 users for 20 s on 1,000 customers (a smoke run)")
    parser.add_argument("--results", default=str(RESULTS), help="where to write <date>-load.json")
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")), help="as keshang serve"
    )
    parser.add_argument("--threads", type=int, default=WEB_THREADS, help="per worker, as keshang serve")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, fixture)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\d+(\.\d+)?-\d+(\.\d+)?", args.think):
        parser.error("--think is min-max in seconds, e.g. 0.5-1.5")
    if args.partners < 100:
        parser.error("--partners must be at least 100 (every simulated rep needs customers of its own)")
    if importlib.util.find_spec("locust") is None:
        parser.error('locust is not installed: .venv/bin/pip install -e ".[load]" (or run make load)')
    if args.quick:
        args.users, args.spawn_rate, args.duration, args.partners = 5, 5, 20, 1000
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url and not database_url.startswith(("postgres", "pgsql")):
        parser.error("DATABASE_URL must name a PostgreSQL server (or leave it unset for a throwaway cluster)")

    # SIGTERM unwinds like Ctrl-C, so the exit stacks stop the server and the database.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    work = Path(tempfile.mkdtemp(prefix="keshang-load-"))
    ok = False
    try:
        with contextlib.ExitStack() as database:
            url, postmaster = (
                throwaway_database(database, database_url) if database_url else throwaway_cluster(database)
            )
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "KESHANG_VAR_DIR": str(work / "var"),
                "DJANGO_SETTINGS_MODULE": "keshang.settings",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                "KESHANG_LOAD_FIXTURE": str(work / "fixture.json"),
                "KESHANG_LOAD_THINK": args.think,
            }
            for name in ("KESHANG_TESTING", "KESHANG_ENV", "DEBUG", "KESHANG_PG_DIR"):
                env.pop(name, None)
            setup_s, data = prepare(env, work, args.partners)
            with contextlib.ExitStack() as web:
                server, gunicorn = start_gunicorn(web, env, work, args.workers, args.threads)
                load_before = os.getloadavg()
                cpu = CpuShare(gunicorn, postmaster)
                figures = run_locust(env, server, work, args)
                cpu_share = cpu.stop()
                load_after = os.getloadavg()
            # The server has stopped: its access log is complete.
            whole, steady, failures = figures["whole_run"], figures["steady"], figures["failures"]
            endpoints, total = whole["endpoints"], whole["total"]
            statuses = server_side(work, steady["from"] if steady else None)
            written = _last_json(_run([sys.executable, "-m", "bench.load.seed", "verify"], env, "verify"))
        checked = integrity(written, endpoints)
        server_clean = statuses["5xx"] == 0 and statuses["tracebacks"] == 0 and statuses["worker_timeouts"] == 0
        ok = total["requests"] > 0 and total["failures"] == 0 and server_clean and checked["ok"]
        result = {
            "date": datetime.date.today().isoformat(),
            "git": bench_run._git(),
            "git_dirty": bench_run._dirty(),
            "python": platform.python_version(),
            "database": written["database"],
            "machine": bench_run._machine(),
            "parameters": {
                "users": args.users,
                "spawn_rate": args.spawn_rate,
                "duration_s": args.duration,
                "think_s": args.think,
                "customers": args.partners,
                "web": f"gunicorn {args.workers} workers × {args.threads} threads",
                "weights": {"search": 4, "list": 3, "detail": 3, "quotation": 1, "order": 1},
            },
            "setup_s": setup_s,
            "data": data,
            "load_average": {"before": [round(v, 2) for v in load_before], "after": [round(v, 2) for v in load_after]},
            "cpu_cores_used": cpu_share,
            "whole_run": whole,
            "steady": steady,
            "failures": failures,
            "server_statuses": statuses,
            "integrity": checked,
            "ok": ok,
            "table_markdown": table(whole["endpoints"], total, statuses["server_ms"]["whole_run"], markdown=True),
            "steady_table_markdown": (
                table(steady["endpoints"], steady["total"], statuses["server_ms"]["steady"], markdown=True)
                if steady
                else None
            ),
        }
        results = Path(args.results)
        results.mkdir(parents=True, exist_ok=True)
        path = results / f"{result['date']}-load{'-quick' if args.quick else ''}.json"
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        print(f"\nWhole run ({whole['seconds']} s, with the ramp-up and its {figures['logged_in']} logins):")
        print(table(endpoints, total, statuses["server_ms"]["whole_run"]))
        if steady:
            print(f"\nSteady state (the last {steady['seconds']} s, every user logged in):")
            print(table(steady["endpoints"], steady["total"], statuses["server_ms"]["steady"]))
        print()
        print(
            f"server: 2xx {statuses['2xx']:,}, 3xx {statuses['3xx']:,}, 4xx {statuses['4xx']:,}, "
            f"5xx {statuses['5xx']:,} (gunicorn access log); tracebacks {statuses['tracebacks']}, "
            f"worker timeouts {statuses['worker_timeouts']} (its error log)"
        )
        print(
            f"written: {checked['found']['quotations']:,} quotations, {checked['found']['orders']:,} orders, "
            f"{checked['found']['confirmed']:,} confirmed (clients saw {checked['expected']}); order numbers "
            f"{'unique' if checked['numbers_unique'] else 'DUPLICATED'} and "
            f"{'gap-free' if checked['numbers_gap_free'] else 'WITH GAPS'}"
        )
        print(f"load average before/after: {result['load_average']['before']} / {result['load_average']['after']}")
        names = [
            name for name in ("machine", "gunicorn", "postgresql", "locust", "others") if cpu_share[name] is not None
        ]
        used = ", ".join(f"{name} {cpu_share[name]}" for name in names)
        print(f"CPU during the run, in cores of {cpu_share['cores']}: {used}")
        for failure in failures[:20]:
            print(f"FAILURE {failure['endpoint']} ×{failure['occurrences']}: {failure['error'][:300]}")
        for line in statuses["server_errors"]:
            print(f"5xx: {line}")
        print(f"\n{'OK' if ok else 'FAILED'}: figures in {path}")
    finally:
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"[load] logs kept in {work} (access.log, gunicorn.log, locust.log)", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # The exit stacks have stopped the server and the database on the way here.
        print("[load] interrupted", file=sys.stderr)
        sys.exit(130)
