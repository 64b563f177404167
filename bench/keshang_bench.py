"""Steps a–f through Keshang's own services, selectors and HTTP, on a fresh database (issue 5).

Run by :mod:`bench.run`, in subprocesses whose environment (``KESHANG_VAR_DIR``, ``DATABASE_URL``) names
the bench's own database, so Django's settings are those of a real installation:

    python -m bench.keshang_bench prepare --n N           # keshang setup (no demo data) + the bench's users
    python -m bench.keshang_bench import --n N --csv FILE # step a alone, for its peak memory
    python -m bench.keshang_bench steps --n N             # steps b–f

Each prints one JSON object on its last line of stdout. ``--profile FILE`` writes a cProfile of the
process's timed steps; ``--queries`` counts the SQL queries per operation (slower: DEBUG cursor).
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from bench import workload as wl

PASSWORD = "Bench-pass-2026!"  # the bench users' password; the database is a throwaway one
MANAGER, BOSS, IMPORTER = "bench_manager", "bench_boss", "bench_manager"
WARM_UP = 20
PAGE_REQUESTS = 200


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keshang.settings")
    import django

    django.setup()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def _summary(samples_ms: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(samples_ms), 3), "p95_ms": round(percentile(samples_ms, 0.95), 3)}


def proc_status_mb(pid: int | str = "self") -> dict[str, float]:
    values = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _sep, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


class QueryCounter:
    """Counts the queries per operation when ``--queries`` is given (CaptureQueriesContext per call)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.counts: dict[str, list[int]] = {}

    @contextmanager
    def count(self, name: str):
        if not self.enabled:
            yield
            return
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        # The log keeps the last 9,000 queries only: once full, the context would count 0.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            yield
        self.counts.setdefault(name, []).append(len(captured.captured_queries))

    def report(self) -> dict[str, float]:
        return {name: round(statistics.mean(values), 2) for name, values in self.counts.items()}


#
# prepare: the product's setup (no demo data) and the bench's organisation
#


def prepare(args) -> dict:
    env = {**os.environ, "KESHANG_ADMIN_PASSWORD": PASSWORD}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "keshang", "setup", "--no-demo"], env=env, check=True, capture_output=True)
    setup_s = time.perf_counter() - started
    _django()
    from keshang.core.permissions import Persona
    from keshang.org import services
    from keshang.org.models import Role

    workload = wl.generate(args.n, args.seed)
    roles = {role.persona: role for role in Role.objects.exclude(persona="")}
    sales = services.create_department(actor=None, name="销售部", code="BENCH-SALES")
    hq = services.create_department(actor=None, name="总经办", code="BENCH-HQ")
    departments = {
        code: services.create_department(actor=None, name=name, code=code, parent=sales)
        for code, name in wl.SALES_DEPARTMENTS
    }
    services.create_user(
        actor=None, username=BOSS, password=PASSWORD, name="总经理", department=hq, roles=[roles[Persona.MANAGEMENT]]
    )
    manager = services.create_user(
        actor=None,
        username=MANAGER,
        password=PASSWORD,
        name="销售经理",
        department=sales,
        roles=[roles[Persona.SALES_MANAGER]],
    )
    for number, (username, code) in enumerate(workload.reps, start=1):
        services.create_user(
            actor=None,
            username=username,
            password=PASSWORD,
            name=f"业务员{number}",
            department=departments[code],
            manager=manager,
            roles=[roles[Persona.SALES]],
        )
    return {"setup_s": round(setup_s, 2)}


#
# a: the partner import, as `keshang import partners FILE --as bench_manager` runs it
#


def import_customers(args) -> dict:
    _django()
    from django.core.files import File

    from keshang.core import importing
    from keshang.core.importing.files import open_rows
    from keshang.org.models import User

    csv_path = Path(args.csv)
    # Parsing alone (the framework's reader), timed apart from the import that parses again.
    started = time.perf_counter()
    with open(csv_path, "rb") as handle:
        parsed = sum(1 for _row in open_rows(handle))
    parse_s = time.perf_counter() - started
    actor = User.objects.get(username=IMPORTER)
    profiler = cProfile.Profile() if args.profile else None
    timings = {}
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    with open(csv_path, "rb") as handle:
        job = importing.create_import_job(
            actor=actor, kind="partners", upload=File(handle, name=csv_path.name), policy="skip"
        )
    timings["upload_s"] = time.perf_counter() - started
    job = importing.set_import_mapping(
        actor=actor, job=job, columns=dict(job.mapping["columns"]), policy="skip", options=job.mapping["options"]
    )
    step = time.perf_counter()
    job = importing.run_import_job(job_pk=job.pk, commit=True)
    timings["commit_s"] = time.perf_counter() - step
    elapsed = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    if job.created_count != args.n:
        raise SystemExit(f"import did not create {args.n} partners: {job.status} {job.message} {job.errors[:5]}")
    memory = proc_status_mb()
    return {
        "rows": parsed - 1,
        "created": job.created_count,
        "seconds": round(elapsed, 3),
        "per_s": round(args.n / elapsed, 1),
        "parse_s": round(parse_s, 3),
        **{key: round(value, 3) for key, value in timings.items()},
        "peak_rss_mb": memory["VmHWM"],
    }


#
# b–f
#


def _products(workload, counter: QueryCounter) -> tuple[dict, list]:
    from keshang.catalog import services
    from keshang.catalog.models import Unit

    units = {unit.name: unit for unit in Unit.objects.all()}
    for name in {item.unit for item in workload.products} - set(units):
        units[name] = services.save_unit(actor=None, data={"name": name})
    products = []
    started = time.perf_counter()
    for item in workload.products:
        data = item.service_data(units[item.unit])
        with counter.count("b_create_product"):
            products.append(services.create_product(actor=None, data=data))
    elapsed = time.perf_counter() - started
    return {"seconds": round(elapsed, 3), "per_s": round(len(products) / elapsed, 1)}, products


def _orders(workload, products, counter: QueryCounter, limit_s: float) -> dict:
    from keshang.catalog.lines.pricing import LineInput
    from keshang.org.models import User
    from keshang.partners.models import Partner
    from keshang.sales.services.orders import confirm_sales_order, create_sales_order

    # Unscoped: the bench maps its generated customers to the imported rows, by name.
    partner_pk = dict(Partner.objects.unscoped().values_list("name", "pk"))
    users = {user.username: user for user in User.objects.filter(username__startswith="bench_")}
    created = 0
    started = time.perf_counter()
    for order in workload.orders:
        customer = workload.customers[order.customer]
        actor = users[customer.owner]
        partner = Partner.objects.get(pk=partner_pk[customer.name])
        lines = [LineInput(product=products[index], quantity=Decimal(quantity)) for index, quantity in order.lines]
        with counter.count("c_create_sales_order"):
            document = create_sales_order(
                actor=actor, data={"partner": partner, "order_date": order.order_date}, lines=lines, historic=True
            )
        with counter.count("c_confirm_sales_order"):
            confirm_sales_order(actor=actor, order=document)
        created += 1
        if time.perf_counter() - started > limit_s:
            break
    elapsed = time.perf_counter() - started
    return {
        "orders": created,
        "of": len(workload.orders),
        "seconds": round(elapsed, 3),
        "per_s": round(created / elapsed, 1),
        "complete": created == len(workload.orders),
    }


def _search_selector(workload, counter: QueryCounter) -> dict:
    from keshang.org.models import User
    from keshang.partners.selectors import search_partners

    manager = User.objects.get(username=MANAGER)
    for query in workload.lookups[:WARM_UP]:
        list(search_partners(user=manager, query=query)[:20])
    samples, empty = [], 0
    for query in workload.lookups:
        started = time.perf_counter()
        with counter.count("d_search_partners"):
            rows = list(search_partners(user=manager, query=query)[:20])
        samples.append((time.perf_counter() - started) * 1000)
        empty += not rows
    return {**_summary(samples), "lookups": len(samples), "empty": empty}


def _report(workload, counter: QueryCounter) -> dict:
    from keshang.org.models import User
    from keshang.partners.models import Partner
    from keshang.sales.selectors import sales_by_customer_month

    boss = User.objects.get(username=BOSS)
    times, rows = [], []
    for _run in range(3):
        started = time.perf_counter()
        with counter.count("e_sales_by_customer_month"):
            rows = sales_by_customer_month(user=boss)
        times.append(time.perf_counter() - started)
    # Unscoped: only to name the rows for the comparison.
    names = dict(Partner.objects.unscoped().values_list("pk", "name"))
    got = {(names[row.partner_id], row.month.strftime("%Y-%m")): (row.gross_amount, row.orders) for row in rows}
    return {"keshang_s": round(statistics.median(times), 4), "runs_s": [round(t, 4) for t in times], "rows": got}


class Web:
    """gunicorn serving keshang.wsgi, one worker, on a free loopback port; keep-alive HTTP client."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [
            sys.executable, "-m", "gunicorn", "keshang.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4", "--no-control-socket",
            "--log-level", "warning",
        ]  # fmt: skip
        log = open(Path(os.environ["KESHANG_VAR_DIR"]) / "gunicorn.log", "ab")  # noqa: SIM115 (the server's)
        # The search step fires every lookup as one user: no search rate limit for the bench's server.
        environment = {**os.environ, "KESHANG_SEARCH_RATE": "0"}
        self.process = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
        self.cookies: dict[str, str] = {}
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    self.request("GET", "/login/")
                    break
                except OSError:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        raise
                    time.sleep(0.2)
        except BaseException:
            self.stop()
            raise

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return int(children[0])

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = getattr(self, "_connection", None)
        if connection is None:
            connection = self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = dict(headers or {})
        if getattr(self, "cookies", None):
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
        except (http.client.HTTPException, OSError):
            self._connection = None
            raise
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            key, _sep, value = header.split(";")[0].partition("=")
            self.cookies[key.strip()] = value.strip()
        return response.status, data

    def log_in(self, username: str) -> None:
        status, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}/"}
        status, _page = self.request("POST", "/login/", body.encode(), headers)
        if status != 302:
            raise SystemExit(f"login failed: HTTP {status}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _timed_get(web: Web, path: str, headers: dict | None = None) -> float:
    started = time.perf_counter()
    status, _body = web.request("GET", path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise SystemExit(f"GET {path}: HTTP {status}")
    return elapsed


def _http_steps(workload) -> dict:
    from keshang.org.models import User

    web = Web()
    try:
        body = urllib.parse.urlencode({"username": MANAGER, "password": PASSWORD}).encode()
        status, data = web.request(
            "POST", "/api/v1/auth/token/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        token = json.loads(data)["token"]
        auth = {"Authorization": f"Token {token}", "Accept": "application/json"}
        web.cookies = {}

        def api(query: str) -> str:
            return "/api/v1/partners/partners/?" + urllib.parse.urlencode({"q": query, "page_size": 20})

        for query in workload.lookups[:WARM_UP]:
            _timed_get(web, api(query), auth)
        search = [_timed_get(web, api(query), auth) for query in workload.lookups]
        web.log_in(MANAGER)
        owner = User.objects.get(username=workload.reps[0][0]).pk
        for _run in range(WARM_UP):
            _timed_get(web, f"/partners/?owner={owner}")
        page = [_timed_get(web, f"/partners/?owner={owner}") for _run in range(PAGE_REQUESTS)]
        memory = proc_status_mb(web.worker_pid())
    finally:
        web.stop()
    return {"d_search_http": _summary(search), "f_list_page_http": _summary(page), "web_memory": memory}


def steps(args) -> dict:
    _django()
    workload = wl.generate(args.n, args.seed)
    counter = QueryCounter(args.queries)
    if args.queries:
        from django.conf import settings

        settings.DEBUG = False  # CaptureQueriesContext forces the debug cursor itself
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    result = {}
    result["b"], products = _products(workload, counter)
    result["c"] = _orders(workload, products, counter, args.order_seconds)
    result["d_selector"] = _search_selector(workload, counter)
    result["e"] = _report(workload, counter)
    # Expected from the generated orders that were created (all of them unless step c was cut short).
    done = wl.Workload(**{**vars(workload), "orders": workload.orders[: result["c"]["orders"]]})
    got = result["e"].pop("rows")
    result["e"]["correct"] = got == done.expected_report()
    result["e"]["groups"] = len(got)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    if not args.no_http:
        result.update(_http_steps(workload))
    if args.queries:
        result["queries_per_operation"] = counter.report()
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prepare", "import", "steps"])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=wl.SEED)
    parser.add_argument("--csv")
    parser.add_argument("--profile", help="write a cProfile of the timed steps to this file")
    parser.add_argument("--queries", action="store_true", help="count SQL queries per operation")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument(
        "--order-seconds", type=float, default=float("inf"), help="stop step c after this long (a partial run)"
    )
    args = parser.parse_args(argv)
    result = {"prepare": prepare, "import": import_customers, "steps": steps}[args.command](args)
    print(json.dumps(result, default=_json_default, ensure_ascii=False))


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return value
    raise TypeError(type(value))


if __name__ == "__main__":
    main()
