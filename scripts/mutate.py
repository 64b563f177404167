"""`make mutate` (issue 12): mutation testing with mutmut 3 over the modules where a silent bug costs money or
leaks data, one module at a time, each against only the tests that exercise it.

    python scripts/mutate.py              # every module below, smallest first
    python scripts/mutate.py money scope  # just these

For each module mutmut copies src/ to mutants/ (wiped first, so edited tests are always picked up), mutates
only that module's file, runs its tests once to learn which test calls which function, then runs each mutant
against only the tests that reached the mutated function (pytest -x -p no:randomly, one worker, no xdist).
The report of each module (counts, time, the diff of every surviving mutant) goes to var/mutate/<module>.txt
and a summary table is printed at the end. Exit status 1 when a mutant survived.

Why mutmut and how it is set up (docs/reliability.md, "make mutate"): the tests run in the forked mutmut process
with the test database created once by the stats run and reused (--reuse-db); one child at a time, since two
children would write the same SQLite test file. mutmut mutates code inside functions only: module-level
declarations (the sales workflows' move lists) are checked by tests of their whole transition table instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "var" / "mutate"

CORE = "src/keshang/core"
CORE_TESTS = f"{CORE}/tests"
SALES_TESTS = "src/keshang/sales/tests"
PARTNER_TESTS = "src/keshang/partners/tests"

# module name -> (files mutated, tests run). Smallest first: the order `make mutate` runs them in.
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "totals": (
        [f"{CORE}/documents/totals.py"],
        [f"{CORE_TESTS}/test_totals.py"],
    ),
    "numbering": ([f"{CORE}/numbering.py"], [f"{CORE_TESTS}/test_numbering.py"]),
    "masking": ([f"{CORE}/masking.py"], [f"{CORE_TESTS}/test_masking.py"]),
    "scope": (
        [f"{CORE}/scope.py"],
        [
            f"{CORE_TESTS}/test_scope.py",
            # scope_parent and scope_related: a price rule is a product's part naming a customer
            "src/keshang/catalog/tests/test_pricing.py::test_a_customers_special_price_is_seen_only_by_those_who_see_the_customer",
        ],
    ),
    "workflow": ([f"{CORE}/documents/workflow.py"], [f"{SALES_TESTS}/test_workflow_tables.py"]),
    "money": (
        [f"{CORE}/money.py"],
        [f"{CORE_TESTS}/test_money.py", f"{CORE_TESTS}/test_money_display.py", f"{CORE_TESTS}/test_totals.py"],
    ),
    "merge": (
        ["src/keshang/partners/services/merging.py"],
        [
            f"{PARTNER_TESTS}/test_merging.py",
            f"{PARTNER_TESTS}/test_merging_records.py",
            f"{SALES_TESTS}/test_merge_everything.py",
        ],
    ),
}

# Every pytest run mutmut makes: the database the stats run created is reused (no migrations per mutant);
# no xdist, no random order; the browser tests are never part of a module's tests.
PYTEST_ARGS = ["-p", "no:randomly", "-p", "no:xdist", "--reuse-db", "-m", "not browser", "-W", "ignore"]


def run_one(name: str) -> None:
    """Run mutmut for one module, in this process (called in a child of main())."""
    files, tests = MODULES[name]
    from mutmut import configuration

    cfg = configuration._load_config()
    cfg.source_paths = [Path("src")]
    cfg.resolved_mutated_source_paths = [ROOT / "mutants" / "src"]
    cfg.only_mutate = files
    cfg.also_copy = [*cfg.also_copy, Path("conftest.py")]
    cfg.pytest_add_cli_args = PYTEST_ARGS
    cfg.pytest_add_cli_args_test_selection = [t for t in tests if (ROOT / t).exists()]
    cfg.use_git_change_detection = False
    configuration._config = cfg

    import mutmut.__main__ as mutmut_main

    mutmut_main._run([], max_children=1)


def results(name: str) -> dict:
    """Counts and survivors of the module just run, read from mutmut's metadata files."""
    from mutmut.stats import status_by_exit_code

    files, _tests = MODULES[name]
    counts: dict[str, int] = {}
    survivors: list[tuple[str, str]] = []
    for file in files:
        meta = json.loads((ROOT / "mutants" / f"{file}.meta").read_text())
        for key, code in meta["exit_code_by_key"].items():
            status = status_by_exit_code[code]
            counts[status] = counts.get(status, 0) + 1
            if status != "killed":
                survivors.append((key, status))
    return {"counts": counts, "survivors": sorted(survivors)}


def diff(key: str, status: str) -> str:
    """The mutant ``key`` as a diff against the original function."""
    from mutmut.__main__ import find_mutant, get_diff_for_mutant

    return f"# {key}: {status}\n{get_diff_for_mutant(key, path=find_mutant(key).path)}\n"


def main(names: list[str]) -> int:
    os.chdir(ROOT)
    REPORTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KESHANG_VAR_DIR": str(ROOT / "mutants" / "var")}
    summary = []
    for name in names:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        started = time.monotonic()
        print(f"== {name}: {', '.join(MODULES[name][0])}", flush=True)
        subprocess.run([sys.executable, __file__, "--one", name], env=env, check=False)
        seconds = time.monotonic() - started
        try:
            found = results(name)
        except FileNotFoundError:
            print(f"   {name}: mutmut did not finish; see its output above")
            summary.append((name, 0, 0, seconds))
            continue
        total = sum(found["counts"].values())
        killed = found["counts"].get("killed", 0)
        lines = [
            f"{name}: {killed}/{total} killed in {seconds:.0f} s; {found['counts']}",
            f"tests: {' '.join(MODULES[name][1])}",
            "",
        ]
        lines += [diff(key, status) for key, status in found["survivors"]]
        (REPORTS / f"{name}.txt").write_text("\n".join(lines))
        print(f"   {lines[0]}\n   report: {REPORTS / f'{name}.txt'}", flush=True)
        summary.append((name, killed, total, seconds))

    print("\nmodule       killed  total   rate   time")
    for name, killed, total, seconds in summary:
        rate = f"{100 * killed / total:5.1f} %" if total else "    –"
        print(f"{name:<12} {killed:>6} {total:>6} {rate} {seconds:>5.0f} s")
    killed = sum(s[1] for s in summary)
    total = sum(s[2] for s in summary)
    if total:
        print(f"{'overall':<12} {killed:>6} {total:>6} {100 * killed / total:5.1f} %")
    return 0 if killed == total else 1


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--one"]:
        os.chdir(ROOT)
        run_one(args[1])
    else:
        unknown = [a for a in args if a not in MODULES]
        if unknown:
            sys.exit(f"unknown module(s) {', '.join(unknown)}; known: {', '.join(MODULES)}")
        sys.exit(main(args or list(MODULES)))
