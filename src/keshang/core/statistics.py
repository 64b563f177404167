"""The query planner's table statistics, refreshed after bulk changes.

Without them SQLite guesses how many rows an index condition selects, and for a scoped search ordered by
newest first it guessed wrong at 100,000 partners: it collected every partner in the manager's departments and
sorted them instead of reading newest first (search p95 48 → 9 ms with statistics, bench/README.md). SQLite
never gathers them on its own; PostgreSQL's autovacuum does, but only after a while, so a big import
refreshes them at once too.
"""

from __future__ import annotations

from django.db import connection

__all__ = ["refresh_statistics"]

# Rows SQLite samples per index: estimates as good for the planner at a fraction of a full ANALYZE's time
# (50 ms instead of 700 ms on 100,000 partners and their 1.5 million search bigrams).
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_statistics() -> None:
    """ANALYZE the database (sampled); call outside a transaction that other work is waiting on."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
