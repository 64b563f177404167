"""Errors that services raise for the UI and API to translate (STYLE.md §7, §9)."""

__all__ = ["ApplicationError", "ScopeViolation"]


class ApplicationError(Exception):
    """A business rule said no. ``code`` is stable for API clients; ``message`` is for people."""

    def __init__(self, message, *, code: str = "invalid", fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}


class ScopeViolation(ApplicationError):
    """A write would leave a record the actor cannot see (created or moved outside their scope)."""

    def __init__(self, message=None, *, code: str = "scope_violation"):
        from django.utils.translation import gettext

        # A more precise ``code`` names which rule refused (the API answers 403 for every ScopeViolation).
        super().__init__(message or gettext("该操作超出了您的数据权限范围。"), code=code)
