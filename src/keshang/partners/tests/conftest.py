"""Fixtures shared by several partners test modules (a module's own fixture of the same name takes precedence)."""

from .merging_fixtures import manager, pair  # noqa: F401 (pytest finds fixtures by name here)
