"""What a refusal says to a program: the codes of a Django ``ValidationError`` (issue 12: a test that checks only
the exception's class passes whichever rule refused)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

__all__ = ["validation_codes"]


def validation_codes(error: ValidationError) -> dict[str, list] | list:
    """``{field: [code, …]}`` for an error about fields, else ``[code, …]``."""
    if hasattr(error, "error_dict"):
        return {field: [item.code for item in items] for field, items in error.error_dict.items()}
    return [item.code for item in error.error_list]
