"""The countries a partner may be in: ISO 3166 alpha-2 codes with their Chinese and English names, from
``core/data/countries.json`` (the names phonenumbers knows; the same file the importers read)."""

from __future__ import annotations

import functools
import json
from importlib import resources

from django.utils import translation
from pypinyin import lazy_pinyin

__all__ = ["country_choices"]

# China first: most partners are Chinese, and the select should not make everyone scroll to Z (中国 = zhongguo).
FIRST = "CN"


@functools.cache
def _names() -> dict[str, dict[str, str]]:
    """Code → {"zh": …, "en": …}; entries without names (AC, TA, XK: phonenumbers regions, not ISO countries)
    are left out."""
    with resources.files("keshang.core").joinpath("data", "countries.json").open(encoding="utf-8") as file:
        return {code: names for code, names in json.load(file).items() if names}


def _language() -> str:
    return "zh" if (translation.get_language() or "zh-hans").startswith("zh") else "en"


@functools.cache
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    def order(item: tuple[str, str]):
        code, label = item
        return (code != FIRST, "".join(lazy_pinyin(label)) if language == "zh" else label.casefold())

    return tuple(sorted(((code, names[language]) for code, names in _names().items()), key=order))


def country_choices() -> list[tuple[str, str]]:
    """``(code, name)`` in the active language, China first, then by name (pinyin order for Chinese)."""
    return list(_choices(_language()))
