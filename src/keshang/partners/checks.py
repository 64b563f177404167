"""System checks of partners' settings and search (run by ``keshang check``, ``migrate`` and so ``keshang setup``)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.db import connections

__all__ = ["duplicate_policy_setting", "trigram_ctype", "ctype_warnings"]

# A C/POSIX character classification: pg_trgm sees no letters in Chinese text, so the trigram index cannot
# serve a search for a Chinese name and every such search reads the whole partner table.
_BLIND_CTYPES = {"C", "POSIX"}


@checks.register()
def duplicate_policy_setting(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """KESHANG_PARTNER_DUPLICATES must name a policy: a typo would otherwise silently mean the default."""
    from .services import DUPLICATE_POLICIES, DUPLICATES_BLOCK_OTHERS

    value = getattr(settings, "KESHANG_PARTNER_DUPLICATES", DUPLICATES_BLOCK_OTHERS)
    if value in DUPLICATE_POLICIES:
        return []
    return [
        checks.Error(
            f"KESHANG_PARTNER_DUPLICATES is {value!r}.",
            hint=f"Use one of {', '.join(DUPLICATE_POLICIES)} (partners/services/duplicates.py, README).",
            id="partners.E001",
        )
    ]


@checks.register(checks.Tags.database)
def trigram_ctype(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when a PostgreSQL database classifies characters as C does."""
    messages = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            (ctype,) = cursor.fetchone()
        messages.extend(ctype_warnings(ctype, name=connection.settings_dict["NAME"]))
    return messages


def ctype_warnings(ctype: str, *, name: str) -> list[checks.CheckMessage]:
    if ctype not in _BLIND_CTYPES:
        return []
    return [
        checks.Warning(
            f"PostgreSQL database {name!r} has LC_CTYPE {ctype!r}: the trigram index cannot serve searches for "
            "Chinese names, which then read every partner.",
            hint="Create the database with a UTF-8 character type, e.g. "
            "CREATE DATABASE keshang TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'.",
            id="partners.W001",
        )
    ]
