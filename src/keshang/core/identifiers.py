"""Identifiers every app reads the same way: a record's id as typed into a URL or posted by a form, and the
统一社会信用代码 (GB 32100-2015) of a customer, a supplier or one of our own companies."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

__all__ = ["parse_pk", "normalize_credit_code"]

# Ids are 64-bit integers: 18 digits always fit, and a longer string is no id (the database would overflow).
_PK_DIGITS = 18


def parse_pk(value) -> int | None:
    """``value`` (a query parameter, a posted field, an int) as a record id, or None when it is no id: only ASCII
    digits (``"²"`` and ``"٣"`` pass ``str.isdigit`` but are no number Django can look up), at most 18 of them,
    greater than zero."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 10**_PK_DIGITS else None
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= _PK_DIGITS):
        return None
    return int(text) or None


# GB 32100-2015: digits and upper-case letters without I, O, S, V and Z (they look like 1, 0, 5, U and 2).
_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
# People paste codes with spaces, or grouped with hyphens or dashes from a Word document.
_USCC_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")


def normalize_credit_code(value: str) -> str:
    """The 18-character code, upper case and without separators; ``""`` for an empty value.

    Raises :class:`ValidationError` (codes ``invalid_length``, ``invalid_characters``, ``invalid_region``,
    ``invalid_check_digit``). stdnum checks the check digit but requires digits in positions 1–8; the
    standard allows a letter in position 1 (registration authority: A 中央军委改革和编制办公室, N 农业,
    Y 其他) and 2 (entity type), so a code stdnum rejects only for that is checked here with stdnum's
    own check-digit function. Positions 3–8 (the region code) stay digits.
    """
    # Normalised before anything is checked: stdnum's compact() (upper case, no spaces or hyphens) after our
    # own wider set of separators and full-width forms, so a code pasted as "91 110000 600037341L" is 18 long.
    code = uscc.compact(_USCC_SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")))
    if not code:
        return ""
    try:
        return uscc.validate(code)
    except InvalidLength:
        raise ValidationError(gettext("统一社会信用代码应为18位。"), code="invalid_length") from None
    except InvalidChecksum:
        raise ValidationError(gettext("统一社会信用代码校验位不正确，请核对。"), code="invalid_check_digit") from None
    except InvalidFormat:
        pass  # Letters in positions 1–2, or characters outside the alphabet: told apart below.
    if not _USCC_ALPHABET.issuperset(code):
        raise ValidationError(
            gettext("统一社会信用代码包含无效字符（只能是数字和大写字母，不能含 I、O、S、V、Z）。"),
            code="invalid_characters",
        )
    if not code[2:8].isdigit():
        raise ValidationError(gettext("统一社会信用代码第3至8位应为行政区划代码（数字）。"), code="invalid_region")
    if code[-1] != uscc.calc_check_digit(code[:-1]):
        raise ValidationError(gettext("统一社会信用代码校验位不正确，请核对。"), code="invalid_check_digit")
    return code
