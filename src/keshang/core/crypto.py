"""Encryption at rest for the most sensitive columns (DESIGN.md rule 3): bank accounts, ID numbers.

Values are encrypted with Fernet (AES-128-CBC + HMAC) under ``KESHANG_FIELD_KEY`` from the
environment. Outside production a key is generated once under ``var/`` so a laptop works out of the
box; production refuses to start without one. Several keys may be given, comma-separated: the first
encrypts, all decrypt, so keys can be rotated.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

__all__ = ["encrypt", "decrypt", "EncryptedTextField"]

PREFIX = "fernet:"


@cache
def _fernet() -> MultiFernet:
    keys = [key.strip() for key in settings.KESHANG_FIELD_KEYS if key.strip()]
    if not keys:
        raise ImproperlyConfigured("KESHANG_FIELD_KEY is not set.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value.startswith(PREFIX):
        raise ValueError("Not an encrypted value.")
    try:
        return _fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ValueError("Cannot decrypt: wrong KESHANG_FIELD_KEY?") from error


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads give the plain text. Not searchable or sortable, by design."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
