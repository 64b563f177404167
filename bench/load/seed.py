"""The Django side of the load run, in subprocesses whose environment names the run's own database.

    python -m bench.load.seed prepare --n N --out FIXTURE   # products, and what the simulated users need
    python -m bench.load.seed verify                        # the documents the run wrote, checked

``bench.keshang_bench prepare`` and ``import`` have made the organisation and the N customers before
``prepare`` runs. Each command prints one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
from collections import Counter

from bench import keshang_bench as kb
from bench import workload as wl

PRODUCTS = 100


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keshang.settings")
    import django

    django.setup()


def prepare(args) -> dict:
    """Products at ≤ 999.99 (three lines of ten stay under the 100,000 approval threshold), and per user the
    partners it owns, some it may see (its scope, through the same read path as the app) and some it may not."""
    _django()
    from keshang.catalog import services
    from keshang.catalog.models import Unit
    from keshang.org.models import User
    from keshang.partners.models import Partner

    workload = wl.generate(args.n, args.seed)
    units = {unit.name: unit for unit in Unit.objects.all()}
    products = []
    for item in workload.products[:PRODUCTS]:
        if item.unit not in units:
            units[item.unit] = services.save_unit(actor=None, data={"name": item.unit})
        data = item.service_data(units[item.unit])
        products.append(services.create_product(actor=None, data=data).pk)
    # Unscoped on purpose: the ids of partners a user may NOT see, for the out-of-scope probes.
    everyone = set(Partner.objects.unscoped().values_list("pk", flat=True))
    rng = random.Random(args.seed)
    users = []
    for username in [name for name, _department in workload.reps] + [kb.MANAGER]:
        user = User.objects.get(username=username)
        visible = set(Partner.objects.visible_to(user, "view").values_list("pk", flat=True))
        # The manager owns none: it writes for its reps' customers, as its department-tree scope allows.
        owned = Partner.objects.visible_to(user, "view").filter(owner=user).values_list("pk", flat=True)
        own = sorted(visible) if username == kb.MANAGER else sorted(owned)
        hidden = sorted(everyone - visible)
        users.append(
            {
                "username": username,
                "pk": user.pk,
                "manager": username == kb.MANAGER,
                "own": rng.sample(own, min(len(own), 1000)),  # what the user writes quotations and orders for
                "visible": rng.sample(sorted(visible), min(len(visible), 1000)),
                "hidden": rng.sample(hidden, min(len(hidden), 100)),
            }
        )
        if not own or not visible:
            raise SystemExit(f"{username} has no customers: import more (--n)")
    fixture = {
        "password": kb.PASSWORD,
        "users": users,
        "products": products,
        "lookups": workload.lookups,
    }
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(fixture, handle)
    return {"products": len(products), "partners": len(everyone), "users": len(users)}


NUMBER = re.compile(r"^SO(\d{6})-(\d{5})$")


def verify(args) -> dict:
    """What the run left in its fresh database (no documents before it): documents by status, and the confirmed
    orders' numbers, which must be unique and gap-free per month (1..n) however many confirmations ran at once."""
    _django()
    from django.db import connection

    from keshang.sales.models import Quotation, SalesOrder, SalesOrderStatus

    # Unscoped: the whole database is checked, on behalf of no user.
    orders = SalesOrder.objects.unscoped().all()
    statuses = Counter(orders.values_list("status", flat=True))
    numbers = list(orders.filter(status=SalesOrderStatus.CONFIRMED).values_list("number", flat=True))
    by_period: dict[str, list[int]] = {}
    malformed = []
    for number in numbers:
        match = NUMBER.match(number or "")
        if match is None:
            malformed.append(number)
            continue
        by_period.setdefault(match.group(1), []).append(int(match.group(2)))
    gap_free = all(sorted(values) == list(range(1, len(values) + 1)) for values in by_period.values())
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        database = cursor.fetchone()[0].split(" on ")[0]
    return {
        "database": database,
        "quotations": Quotation.objects.unscoped().count(),
        "orders": sum(statuses.values()),
        "orders_by_status": dict(statuses),
        "confirmed_numbers": len(numbers),
        "numbers_unique": len(set(numbers)) == len(numbers),
        "numbers_gap_free": gap_free and not malformed,
        "malformed_numbers": malformed[:10],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prepare", "verify"])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=wl.SEED)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    result = {"prepare": prepare, "verify": verify}[args.command](args)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
