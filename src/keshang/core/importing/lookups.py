"""Lookups importers share: countries (for foreign phone numbers and addresses) and China's regions,
resolved from what people type in a spreadsheet, in memory (no query per row)."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from ..models import Region, RegionLevel
from .base import normalise_header

__all__ = ["COUNTRY_ALIASES", "country_code", "RegionResolver"]


COUNTRY_ALIASES = {
    "uk": "GB",
    "england": "GB",
    "greatbritain": "GB",
    "usa": "US",
    "america": "US",
    "unitedstatesofamerica": "US",
    "prc": "CN",
    "中国大陆": "CN",
    "中华人民共和国": "CN",
    "大陆": "CN",
    "korea": "KR",
    "南韩": "KR",
    "holland": "NL",
}


COUNTRIES = Path(__file__).resolve().parent.parent / "data" / "countries.json"


@functools.cache
def _countries() -> dict[str, str]:
    """Country names in English and Chinese, and ISO codes, to ISO codes.

    The names are phonenumbers' own (``data/countries.json`` was written from its locale data for the regions
    it can parse): importing ``phonenumbers.geocoder`` would load all of its geographic data, ~95 MB in
    every web worker, for 245 names.
    """
    table = {}
    for region, names in json.loads(COUNTRIES.read_text(encoding="utf-8")).items():
        table.setdefault(region.casefold(), region)
        for name in names.values():
            table.setdefault(normalise_header(name), region)
    table.update(COUNTRY_ALIASES)
    return table


def country_code(name: str) -> str | None:
    """``"Germany"``, ``"德国"``, ``"DE"``, ``"UK"`` → ISO 3166 code; None when unknown."""
    return _countries().get(normalise_header(name))


_PLACE_SUFFIX = re.compile(
    r"^(.{2,}?)(?:(?:壮族|回族|维吾尔|蒙古族|朝鲜族|土家族|苗族|藏族|彝族|哈尼族|傣族|白族|羌族|布依族|侗族"
    r"|景颇族|傈僳族|哈萨克|柯尔克孜|蒙古)*自治[区州县旗]|特别行政区|省|市|地区|盟|区|县|旗)$"
)
_NOT_A_PLACE = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def _place_forms(name: str) -> set[str]:
    """广东省 → {广东省, 广东}; 南山区 → {南山区, 南山}; 单县 → {单县} (a short form keeps two characters)."""
    forms = {name}
    match = _PLACE_SUFFIX.match(name)
    if match:
        forms.add(match.group(1))
    return forms


@dataclass
class _Place:
    pk: int
    code: str
    name: str
    level: str
    parent_pk: int | None
    children: list[tuple[str, _Place]] = field(default_factory=list)

    @property
    def is_placeholder(self) -> bool:
        return self.name in _NOT_A_PLACE


class RegionResolver:
    """China's regions in memory, resolved from what people type in a spreadsheet, without a query per row.

    ``resolve("广东省 深圳市 南山区")``, ``resolve("广东深圳南山")``, ``resolve("深圳市南山区")``,
    ``resolve("440305")`` all give 南山区; a municipality's districts sit under a placeholder city
    (北京市 市辖区), which the text skips (``"北京 朝阳区"``), and the municipality may be named twice
    (``"北京市 北京市 朝阳区"``). Returns ``(region_pk, None)`` or
    ``(None, message)`` when the text names no region or more than one (``"南山区"`` alone: 深圳 and 鹤岗).
    """

    def __init__(self, regions: Iterable[Region] | None = None):
        # Reference data every role may read: one query for the whole file.
        regions = Region.objects.all() if regions is None else regions
        places = {
            pk: _Place(pk=pk, code=code, name=name, level=level, parent_pk=parent_pk)
            for pk, code, name, level, parent_pk in regions.values_list("pk", "code", "name", "level", "parent_id")
        }
        self._by_code = {place.code: place for place in places.values()}
        self._levels: dict[str, list[tuple[str, _Place]]] = {level: [] for level in RegionLevel.values}
        municipalities = set()
        for place in places.values():
            if place.is_placeholder:
                parent = places.get(place.parent_pk)
                if parent is not None and parent.level == RegionLevel.PROVINCE:
                    municipalities.add(parent.pk)
                continue  # 市辖区, 县 …: groupings, never written in an address
            entries = [(form, place) for form in _place_forms(place.name)]
            self._levels[place.level].extend(entries)
            parent = places.get(place.parent_pk)
            if parent is not None and parent.is_placeholder:
                parent = places.get(parent.parent_pk)  # 北京 朝阳区: a municipality's districts read as its own
            if parent is not None:
                parent.children.extend(entries)
        for pk in municipalities:
            # 北京市 北京市 (朝阳区): a municipality is its own city, and spreadsheets say so.
            municipality = places[pk]
            municipality.children.extend((form, municipality) for form in _place_forms(municipality.name))
        self._cache: dict[str, tuple[int | None, str | None]] = {}

    def _walk(self, text: str, options: list[tuple[str, _Place]], found: set[int], depth: int = 0) -> None:
        for form, place in options:
            if text.startswith(form):
                rest = text[len(form) :]
                if not rest:
                    found.add(place.pk)
                elif depth < 3:
                    self._walk(rest, place.children, found, depth + 1)

    def resolve(self, text: str) -> tuple[int | None, str | None]:
        key = re.sub(r"[\s/,，、\-]+", "", unicodedata.normalize("NFKC", text or ""))
        if not key:
            return None, None
        if key not in self._cache:
            self._cache[key] = self._resolve(key, text.strip())
        return self._cache[key]

    def _resolve(self, key: str, text: str) -> tuple[int | None, str | None]:
        if key.isdigit():
            place = self._by_code.get(key)
            return (place.pk, None) if place else (None, _("地区代码“%(code)s”不存在。") % {"code": text})
        found: set[int] = set()
        for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.DISTRICT):
            self._walk(key, self._levels[level], found)
            if found:
                break
        if len(found) == 1:
            return found.pop(), None
        if found:
            return None, _("地区“%(text)s”不唯一，请写上所在的省和市。") % {"text": text}
        return None, _("无法识别地区“%(text)s”，请按“省 市 区县”填写或填 6 位区划代码。") % {"text": text}
