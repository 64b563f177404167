"""The simulated users of ``make load``: sales reps and their manager at work (run by :mod:`bench.load.run`).

Each user logs in through the login page (a session, as in the browser; API writes then carry the CSRF
token as the pages' htmx does) as one of the fixture's users, in turn, and then, with a think time between
tasks: searches partners through the API (weight 4), opens the partner list page filtered to its own
customers (3), reads a partner it may see through the API (3; one in ten asks for one outside its scope and
must get 404), creates a quotation (1), and creates and confirms a sales order (1). A response other than the
one expected, or a body that does not say what it should, is a failure.

The fixture (``KESHANG_LOAD_FIXTURE``) is written by ``bench.load.seed prepare``; the think time comes from
``KESHANG_LOAD_THINK`` ("0.5-1.5" seconds). When the test stops, the figures go to ``KESHANG_LOAD_STATS``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time

from locust import HttpUser, between, events, task
from locust.exception import StopUser

with open(os.environ["KESHANG_LOAD_FIXTURE"], encoding="utf-8") as _handle:
    FIXTURE = json.load(_handle)
_LOW, _HIGH = (float(part) for part in os.environ.get("KESHANG_LOAD_THINK", "0.5-1.5").split("-"))
# Locust runs every user in this one process, so the rotation hands the identities out evenly.
_IDENTITIES = itertools.cycle(FIXTURE["users"])
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

PARTNERS = "/api/v1/partners/partners/"
QUOTATIONS = "/api/v1/sales/quotations/"
ORDERS = "/api/v1/sales/orders/"
PROBE_SHARE = 0.1  # of the detail requests, for a partner outside the user's scope

# Every request as (name, started at, milliseconds, failed), and when each user had logged in.
_SAMPLES: list[tuple[str, float, float, bool]] = []
_LOGGED_IN: list[float] = []


class SalesUser(HttpUser):
    wait_time = between(_LOW, _HIGH)

    def on_start(self):
        self.identity = next(_IDENTITIES)
        self.rng = random.Random()
        with self.client.get("/login/", name="login form", catch_response=True) as page:
            token = _CSRF_FIELD.search(page.text or "")
            if token is None:
                page.failure("the login page has no CSRF token")
                raise StopUser()
        data = {
            "username": self.identity["username"],
            "password": FIXTURE["password"],
            "csrfmiddlewaretoken": token.group(1),
        }
        with self.client.post(
            "/login/", data=data, name="login", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}, not a redirect")
                raise StopUser()
        _LOGGED_IN.append(time.time())

    def _write_headers(self) -> dict:
        # Login rotates the CSRF token; the cookie holds the current one.
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Accept": "application/json"}

    def _own_partner(self) -> int:
        return self.rng.choice(self.identity["own"])

    def _lines(self) -> list[dict]:
        products = self.rng.sample(FIXTURE["products"], self.rng.randint(1, 3))
        return [{"product": product, "quantity": str(self.rng.randint(1, 10))} for product in products]

    @task(4)
    def search_partners(self):
        query = self.rng.choice(FIXTURE["lookups"])
        with self.client.get(
            PARTNERS, params={"q": query, "page_size": 20}, name="search partners (API)", catch_response=True
        ) as response:
            if response.status_code == 200 and "results" not in response.json():
                response.failure("no results in the search answer")

    @task(3)
    def partner_list_page(self):
        # A rep's list of their own customers; the manager's whole department tree, unfiltered.
        params = {} if self.identity["manager"] else {"owner": self.identity["pk"]}
        with self.client.get("/partners/", params=params, name="partner list (page)", catch_response=True) as page:
            if page.status_code == 200 and "<table" not in page.text:
                page.failure("the list page shows no table")

    @task(3)
    def partner_detail(self):
        if self.identity["hidden"] and self.rng.random() < PROBE_SHARE:
            # Someone else's customer: the scope must answer 404 (as if it did not exist), under load too.
            partner = self.rng.choice(self.identity["hidden"])
            with self.client.get(
                f"{PARTNERS}{partner}/", name="partner outside scope (API, 404)", catch_response=True
            ) as response:
                if response.status_code == 404:
                    response.success()
                else:
                    response.failure(f"HTTP {response.status_code} for a partner outside the user's scope")
            return
        partner = self.rng.choice(self.identity["visible"])
        with self.client.get(f"{PARTNERS}{partner}/", name="partner detail (API)", catch_response=True) as response:
            if response.status_code == 200 and response.json().get("id") != partner:
                response.failure("the detail answered another partner")

    @task(1)
    def create_quotation(self):
        body = {"partner": self._own_partner(), "lines": self._lines()}
        with self.client.post(
            QUOTATIONS, json=body, headers=self._write_headers(), name="create quotation (API)", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")

    @task(1)
    def create_and_confirm_order(self):
        body = {"partner": self._own_partner(), "lines": self._lines()}
        with self.client.post(
            ORDERS, json=body, headers=self._write_headers(), name="create order (API)", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")
                return
            order = response.json()["id"]
        with self.client.post(
            f"{ORDERS}{order}/confirm/",
            headers=self._write_headers(),
            name="confirm order (API)",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and response.json().get("status") != "confirmed":
                response.failure(f"the order is {response.json().get('status')}, not confirmed")
            elif response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")


def _percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank, on the exact times (locust's own percentiles are rounded to two digits)."""
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def _window(since: float, until: float) -> dict:
    """Figures per endpoint and in total for the requests started from ``since``."""
    groups: dict[str, list[tuple[float, bool]]] = {}
    for name, started, elapsed_ms, failed in _SAMPLES:
        if started >= since:
            groups.setdefault(name, []).append((elapsed_ms, failed))
    everything = [sample for samples in groups.values() for sample in samples]
    seconds = max(until - since, 1e-9)

    def figures(samples):
        times = sorted(elapsed for elapsed, _failed in samples)
        return {
            "requests": len(samples),
            "failures": sum(failed for _elapsed, failed in samples),
            "rps": round(len(samples) / seconds, 2),
            "p50_ms": round(_percentile(times, 0.5), 1) if times else None,
            "p95_ms": round(_percentile(times, 0.95), 1) if times else None,
            "p99_ms": round(_percentile(times, 0.99), 1) if times else None,
            "max_ms": round(times[-1], 1) if times else None,
            "mean_ms": round(sum(times) / len(times), 1) if times else None,
        }

    return {
        "from": round(since, 3),
        "seconds": round(seconds, 1),
        "endpoints": {name: figures(samples) for name, samples in groups.items()},
        "total": figures(everything),
    }


@events.request.add_listener
def _sample(name, start_time, response_time, exception, **_kwargs):
    _SAMPLES.append((name, start_time, response_time, exception is not None))


@events.test_stop.add_listener
def _write_figures(environment, **_kwargs):
    """The figures once every user has finished its last task (locust's CSV files are written on a timer and
    can miss the last second): the whole run, and the steady state from the moment the last user had logged
    in (the ramp-up is a storm of logins, each an Argon2 hash of about a CPU-second)."""
    if not _SAMPLES:
        return
    first = min(started for _name, started, _elapsed, _failed in _SAMPLES)
    until = max(started + elapsed / 1000 for _name, started, elapsed, _failed in _SAMPLES)
    result = {
        "whole_run": _window(first, until),
        "steady": _window(max(_LOGGED_IN), until) if _LOGGED_IN else None,
        "logged_in": len(_LOGGED_IN),
        "failures": [
            {"endpoint": f"{error.method} {error.name}", "error": str(error.error), "occurrences": error.occurrences}
            for error in environment.stats.errors.values()
        ],
    }
    result["failures"] += [
        {"endpoint": "(exception)", "error": row["msg"], "occurrences": row["count"]}
        for row in environment.runner.exceptions.values()
    ]
    with open(os.environ["KESHANG_LOAD_STATS"], "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False)
