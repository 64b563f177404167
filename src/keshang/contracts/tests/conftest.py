"""Fixtures shared by several contracts test modules (a module's own fixture of the same name takes precedence)."""

from .signing_fixtures import company, contract_pdf, customer, seal_png, signed_once, signed_twice  # noqa: F401
