"""The raw-database limit of steps a–e: the same generated data and queries in plain SQL (issue 5).

What a database can do with rows already shaped in Python: no validation, no duplicate check, no audit,
no numbering service. Derived values (search text with pinyin initials, order totals, order numbers) are
computed before the clock starts; only the database's work is timed. SQLite: one transaction of
``executemany`` and an FTS5 trigram index for the search. PostgreSQL: ``COPY`` and a pg_trgm GIN index,
in a throwaway database created beside ``DATABASE_URL``'s and dropped afterwards.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
import uuid
from decimal import Decimal
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from bench import workload as wl
from bench.keshang_bench import WARM_UP, percentile


def _search_text(name: str) -> str:
    """The name and its pinyin initials: enough for the workload's look-ups (Keshang also stores full pinyin)."""
    return f"{name.lower()} {''.join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()}"


def _prepared(workload: wl.Workload):
    customers = [
        (
            index + 1,
            item.name,
            item.province,
            item.city,
            item.address,
            item.phone,
            wl.INDUSTRIES.index(item.industry) + 1,
            wl.LEVELS.index(item.level) + 1,
            item.owner,
            _search_text(item.name),
        )
        for index, item in enumerate(workload.customers)
    ]
    products = [
        (index + 1, item.code, item.name, item.specification, item.unit, item.list_price, item.cost_price, "0.13")
        for index, item in enumerate(workload.products)
    ]
    orders, lines = [], []
    for number, order in enumerate(workload.orders, start=1):
        gross = workload.order_gross(order)
        net = sum((workload.line_net(p, q) for p, q in order.lines), Decimal("0"))
        orders.append(
            (
                number,
                f"SO{order.order_date:%Y%m}-{number:05d}",
                order.customer + 1,
                order.order_date,
                "confirmed",
                gross,
                net,
            )
        )
        for position, (product, quantity) in enumerate(order.lines, start=1):
            line_gross = workload.line_gross(product, quantity)
            line_net = workload.line_net(product, quantity)
            lines.append(
                (
                    number,
                    position,
                    product + 1,
                    quantity,
                    workload.products[product].list_price,
                    line_net,
                    line_gross - line_net,
                    line_gross,
                )
            )
    return customers, products, orders, lines


def _latencies(run_query, lookups: list[str]) -> dict:
    for query in lookups[:WARM_UP]:
        run_query(query)
    samples, empty = [], 0
    for query in lookups:
        started = time.perf_counter()
        rows = run_query(query)
        samples.append((time.perf_counter() - started) * 1000)
        empty += not rows
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(percentile(samples, 0.95), 3),
        "empty": empty,
    }


def _check(workload: wl.Workload, rows) -> bool:
    expected = workload.expected_report()
    names = {index + 1: item.name for index, item in enumerate(workload.customers)}
    got = {
        (names[customer], month): (Decimal(gross).quantize(Decimal("0.01")), count)
        for customer, month, gross, count in rows
    }
    return got == expected


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


#
# SQLite
#

SQLITE_SCHEMA = """
CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, province TEXT, city TEXT, address TEXT,
    phone TEXT, industry_id INTEGER, level_id INTEGER, owner TEXT, search_text TEXT NOT NULL);
CREATE INDEX customer_owner ON customer (owner, id);
CREATE VIRTUAL TABLE customer_fts USING fts5(search_text, content='customer', content_rowid='id', tokenize='trigram');
CREATE TABLE product (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT, specification TEXT, unit TEXT,
    list_price_fen INTEGER, cost_price_fen INTEGER, vat_rate TEXT);
CREATE TABLE sales_order (id INTEGER PRIMARY KEY, number TEXT UNIQUE, customer_id INTEGER REFERENCES customer,
    order_date TEXT, status TEXT, gross_fen INTEGER, net_fen INTEGER);
CREATE INDEX sales_order_report ON sales_order (status, customer_id, order_date, gross_fen);
CREATE TABLE sales_order_line (order_id INTEGER REFERENCES sales_order, position INTEGER, product_id INTEGER,
    quantity INTEGER, unit_price_fen INTEGER, net_fen INTEGER, tax_fen INTEGER, gross_fen INTEGER,
    PRIMARY KEY (order_id, position));
"""


def _fen(value: Decimal) -> int:
    return int(value * 100)


def run_sqlite(workload: wl.Workload, directory: Path) -> dict:
    customers, products, orders, lines = _prepared(workload)
    path = directory / f"raw-{uuid.uuid4().hex}.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + SQLITE_SCHEMA)

    def import_customers():
        db.execute("BEGIN")
        db.executemany("INSERT INTO customer VALUES (?,?,?,?,?,?,?,?,?,?)", customers)
        db.execute("INSERT INTO customer_fts (customer_fts) VALUES ('rebuild')")
        db.execute("COMMIT")

    def insert_products():
        db.execute("BEGIN")
        rows = [(*row[:5], _fen(row[5]), _fen(row[6]), row[7]) for row in products]
        db.executemany("INSERT INTO product VALUES (?,?,?,?,?,?,?,?)", rows)
        db.execute("COMMIT")

    def insert_orders():
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO sales_order VALUES (?,?,?,?,?,?,?)",
            [(*row[:3], row[3].isoformat(), row[4], _fen(row[5]), _fen(row[6])) for row in orders],
        )
        db.executemany(
            "INSERT INTO sales_order_line VALUES (?,?,?,?,?,?,?,?)",
            [(*row[:4], _fen(row[4]), _fen(row[5]), _fen(row[6]), _fen(row[7])) for row in lines],
        )
        db.execute("COMMIT")

    def search(query: str):
        if len(query) >= 3:
            sql = (
                "SELECT id, name FROM customer WHERE id IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?)"
                " ORDER BY id DESC LIMIT 20"
            )
            return db.execute(sql, ['"' + query.replace('"', '""') + '"']).fetchall()
        # Two characters: below the trigram index; FTS5 answers LIKE by scanning.
        sql = "SELECT id, name FROM customer WHERE search_text LIKE ? ORDER BY id DESC LIMIT 20"
        return db.execute(sql, [f"%{query}%"]).fetchall()

    report_sql = (
        "SELECT customer_id, substr(order_date, 1, 7) AS month, SUM(gross_fen) / 100.0, COUNT(*) FROM sales_order"
        " WHERE status = 'confirmed' GROUP BY customer_id, month ORDER BY customer_id, month"
    )
    result = _common(workload, import_customers, insert_products, insert_orders, search)
    times, rows = [], []
    for _run in range(3):
        started = time.perf_counter()
        rows = db.execute(report_sql).fetchall()
        times.append(time.perf_counter() - started)
    rows = [(customer, month, Decimal(str(gross)), count) for customer, month, gross, count in rows]
    result["e"] = {"raw_s": round(statistics.median(times), 4), "correct": _check(workload, rows)}
    db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return result


def _common(workload, import_customers, insert_products, insert_orders, search) -> dict:
    a = _timed(import_customers)
    b = _timed(insert_products)
    c = _timed(insert_orders)
    return {
        "a": {"seconds": round(a, 4), "per_s": round(len(workload.customers) / a, 1)},
        "b": {"seconds": round(b, 4), "per_s": round(len(workload.products) / b, 1)},
        "c": {"seconds": round(c, 4), "per_s": round(len(workload.orders) / c, 1)},
        "d": _latencies(search, workload.lookups),
    }


#
# PostgreSQL
#

PG_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE customer (id bigint PRIMARY KEY, name text NOT NULL UNIQUE, province text, city text, address text,
    phone text, industry_id int, level_id int, owner text, search_text text NOT NULL);
CREATE TABLE product (id bigint PRIMARY KEY, code text NOT NULL UNIQUE, name text, specification text, unit text,
    list_price numeric(18,2), cost_price numeric(18,2), vat_rate text);
CREATE TABLE sales_order (id bigint PRIMARY KEY, number text UNIQUE, customer_id bigint REFERENCES customer,
    order_date date, status text, gross_amount numeric(18,2), net_amount numeric(18,2));
CREATE TABLE sales_order_line (order_id bigint REFERENCES sales_order, position int,
    product_id bigint REFERENCES product, quantity numeric(18,4), unit_price numeric(18,6),
    net_amount numeric(18,2), tax_amount numeric(18,2),
    gross_amount numeric(18,2), PRIMARY KEY (order_id, position));
"""


def run_postgresql(workload: wl.Workload, database_url: str) -> dict:
    import psycopg
    from psycopg import sql as pgsql

    customers, products, orders, lines = _prepared(workload)
    name = f"keshang_raw_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    target = psycopg.conninfo.make_conninfo(database_url, dbname=name)
    try:
        with psycopg.connect(target, autocommit=True) as db:
            db.execute(PG_SCHEMA)

            def copy(table: str, rows) -> None:
                with db.cursor().copy(pgsql.SQL("COPY {} FROM STDIN").format(pgsql.Identifier(table))) as stream:
                    for row in rows:
                        stream.write_row(row)

            def import_customers():
                with db.transaction():
                    copy("customer", customers)
                    db.execute("CREATE INDEX customer_trgm ON customer USING gin (search_text gin_trgm_ops)")
                    db.execute("CREATE INDEX customer_owner ON customer (owner, id)")
                db.execute("ANALYZE customer")

            def insert_products():
                with db.transaction():
                    copy("product", products)

            def insert_orders():
                with db.transaction():
                    copy("sales_order", orders)
                    copy("sales_order_line", lines)
                    db.execute(
                        "CREATE INDEX sales_order_report ON sales_order (status, customer_id, order_date)"
                        " INCLUDE (gross_amount)"
                    )
                db.execute("ANALYZE sales_order")

            def search(query: str):
                sql = "SELECT id, name FROM customer WHERE search_text LIKE %s ORDER BY id DESC LIMIT 20"
                return db.execute(sql, [f"%{query}%"]).fetchall()

            result = _common(workload, import_customers, insert_products, insert_orders, search)
            report_sql = (
                "SELECT customer_id, to_char(date_trunc('month', order_date), 'YYYY-MM') AS month, SUM(gross_amount),"
                " COUNT(*) FROM sales_order WHERE status = 'confirmed' GROUP BY customer_id, month"
                " ORDER BY customer_id, month"
            )
            times, rows = [], []
            for _run in range(3):
                started = time.perf_counter()
                rows = db.execute(report_sql).fetchall()
                times.append(time.perf_counter() - started)
            result["e"] = {"raw_s": round(statistics.median(times), 4), "correct": _check(workload, rows)}
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(pgsql.SQL("DROP DATABASE IF EXISTS {}").format(pgsql.Identifier(name)))
    return result
