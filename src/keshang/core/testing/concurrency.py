"""Running test jobs at the same moment, each in its own thread and database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection

from keshang.core.exceptions import ApplicationError

__all__ = ["WORKERS", "run_together"]

# How many simultaneous workers the concurrency tests release together (issue 6 asks for 8).
WORKERS = 8


def run_together(jobs: list[Callable[[], object]]) -> tuple[list, list[str]]:
    """Run each job in its own thread and connection, all released at once: (results, refusal codes).
    Anything but an ApplicationError (a "database is locked", a deadlock) fails the test."""
    start = threading.Barrier(len(jobs))
    done, refused, crashed = [], [], []

    def work(job):
        try:
            start.wait(timeout=30)
            done.append(job())
        except ApplicationError as error:
            refused.append(error.code)
        except BaseException as error:  # noqa: BLE001 - reported to the test thread below
            crashed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert not crashed, crashed
    return done, refused
