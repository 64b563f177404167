"""The benchmark harness of issue 5 (bench/ at the repository root) at a small N: it runs end to end on a
fresh SQLite database, writes the results JSON in the issue's shape and the sales report it measures
matches the generated orders. Timings are not checked here; `make bench` is the measurement."""

import json

from bench import run, workload

EXPECTED_STEPS = {
    "a_import_customers": {"keshang_per_s", "raw_per_s"},
    "b_products": {"keshang_per_s", "raw_per_s"},
    "c_orders": {"keshang_per_s", "raw_per_s"},
    "d_search_selector": {"p50_ms", "p95_ms", "raw_p50_ms", "raw_p95_ms"},
    "e_report": {"keshang_s", "raw_s", "correct"},
    "memory": {"web_rss_mb", "import_peak_mb"},
}


def test_workload_is_reproducible_and_has_distinct_customer_names():
    # given / when: the same seed twice
    first, second = workload.generate(300), workload.generate(300)
    # then
    assert first.customers == second.customers and first.orders == second.orders
    assert len({customer.name for customer in first.customers}) == 300
    assert len(first.orders) == 30 and all(len(order.lines) == 5 for order in first.orders)
    assert len(first.lookups) == 1000


def test_bench_run_writes_the_issue_shape_with_a_correct_report(tmp_path):
    # given: a small workload, without the HTTP steps (the gunicorn part is exercised by `make bench`)
    arguments = ["--n", "300", "--db", "sqlite", "--no-http", "--results", str(tmp_path)]
    # when
    run.main(arguments)
    # then
    (path,) = tmp_path.glob("*-sqlite.json")
    result = json.loads(path.read_text())
    assert {"db", "n", "git", "python", "steps"} <= set(result)
    assert result["db"] == "sqlite" and result["n"] == 300
    for step, keys in EXPECTED_STEPS.items():
        assert keys <= set(result["steps"][step]), step
    assert result["steps"]["e_report"]["correct"] is True
    assert result["steps"]["c_orders"]["keshang_orders"] == 30
    assert result["steps"]["a_import_customers"]["keshang_per_s"] > 0
