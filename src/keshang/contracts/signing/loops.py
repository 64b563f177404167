"""pyHanko's synchronous API runs its coroutines with ``asyncio.run()``, which refuses to start in a thread whose
event loop is already running: an ASGI view, or a test driven by Playwright's synchronous API (its loop runs in
the main thread, where the demo data is signed). There the call runs on a worker thread of its own. The signing
functions touch no database, so the thread changes nothing else."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor

__all__ = ["outside_event_loop"]


def outside_event_loop(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return function(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(function, *args, **kwargs).result()

    return wrapper
