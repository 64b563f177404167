"""Phone numbers (an E.164 key, digits for search) and bank account numbers."""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

__all__ = ["normalize_phone", "phone_digits", "normalize_bank_account"]

_NOT_DIGIT = re.compile(r"[^0-9]+")


def normalize_phone(value: str, region: str = "CN") -> str:
    """The number in E.164 (``+8613812345678``); ``""`` for an empty value.

    Numbers without a country code are read as numbers of ``region``: 13812345678, 0755-86001234 and
    (010) 6552 9988 are Chinese mobile and landline numbers. E.164 has no extension, so one written as
    "ext 12" is dropped from the key; "-8001" or "转8001" is not understood and the number is refused.
    Raises :class:`ValidationError` (code ``invalid_phone``) for anything that is not a valid number.
    """
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return ""
    e164 = _e164(text, region)
    if e164 is None:
        raise ValidationError(gettext("请输入有效的电话号码。"), code="invalid_phone")
    return e164


# A mainland mobile written as its 11 digits, by phonenumbers' own pattern: most numbers people type. It is
# valid as it stands (none starts with a carrier prefix that parsing would strip), so it needs no parsing.
_CN_MOBILE = re.compile(phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern, re.ASCII)


@functools.lru_cache(maxsize=65536)
def _e164(text: str, region: str) -> str | None:
    """Parsing is the slow part (~45 µs); an import checks each number when validating and again when
    deriving the keys, so the answers are kept."""
    if region == "CN" and _CN_MOBILE.fullmatch(text):
        return "+86" + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(value: str) -> str:
    """Only the digits (full-width ones too), so a search for 1234 finds 138-1234-5678."""
    return _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", value or ""))


def normalize_bank_account(value: str) -> str:
    """A bank account number without spaces: 8 to 30 digits (Chinese cards are 16–19, company accounts vary)."""
    digits = "".join(unicodedata.normalize("NFKC", value or "").split())
    if not digits.isdigit() or not 8 <= len(digits) <= 30:
        raise ValidationError(gettext("银行账号应为 8 到 30 位数字。"), code="invalid_bank_account")
    return digits
