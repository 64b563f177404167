"""China's administrative regions: loading the shipped code list, and the reads the pickers make.

The CSVs under ``data/regions/`` (see its README) hold 31 provinces, 342 prefecture-level cities and
2,978 counties. ``load_regions()`` runs on every ``keshang setup`` and creates the rows that are
missing; rows already there are left alone, so it is cheap when nothing is new.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet

from .models import Region, RegionLevel

__all__ = ["REGION_DATA", "PLACEHOLDER_CITY_NAMES", "RegionCounts", "load_regions", "region_choices", "get_region"]

REGION_DATA = Path(__file__).resolve().parent / "data" / "regions"

# City-level entries of the code list that are groupings, not places: an address never names them.
PLACEHOLDER_CITY_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class RegionCounts:
    """How many regions of each level a load created."""

    provinces: int = 0
    cities: int = 0
    districts: int = 0

    @property
    def total(self) -> int:
        return self.provinces + self.cities + self.districts


@dataclass(frozen=True)
class _Row:
    code: str
    name: str
    level: str
    parent_code: str | None
    full_name: str


def _read(filename: str) -> list[dict[str, str]]:
    with open(REGION_DATA / filename, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _rows() -> list[_Row]:
    """Every region of the shipped list, parents before children, with its full name."""
    rows: list[_Row] = []
    full_names: dict[str, str] = {}
    for record in _read("provinces.csv"):
        full_names[record["code"]] = record["name"]
        rows.append(_Row(record["code"], record["name"], RegionLevel.PROVINCE, None, record["name"]))
    placeholders: set[str] = set()
    for record in _read("cities.csv"):
        province = full_names[record["provinceCode"]]
        full_names[record["code"]] = f"{province} {record['name']}"
        if record["name"] in PLACEHOLDER_CITY_NAMES:
            placeholders.add(record["code"])
        rows.append(
            _Row(record["code"], record["name"], RegionLevel.CITY, record["provinceCode"], full_names[record["code"]])
        )
    for record in _read("areas.csv"):
        city = record["cityCode"]
        above = full_names[record["provinceCode"]] if city in placeholders else full_names[city]
        rows.append(_Row(record["code"], record["name"], RegionLevel.DISTRICT, city, f"{above} {record['name']}"))
    return rows


def load_regions() -> RegionCounts:
    """Create the regions of the shipped list that the database lacks, in one transaction.

    Idempotent: rows are matched by code and existing ones are never changed. Reference data loaded
    for the system, so no audit rows (3,351 of them would bury the real history).
    """
    rows = _rows()
    created = dict.fromkeys(RegionLevel.values, 0)
    with transaction.atomic():
        # Unscoped: the system loads reference data for everyone, there is no user.
        pks = dict(Region.objects.unscoped().values_list("code", "pk"))
        if all(row.code in pks for row in rows):
            return RegionCounts()
        for level in RegionLevel.values:
            missing = [
                Region(
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    parent_id=pks[row.parent_code] if row.parent_code else None,
                    full_name=row.full_name,
                )
                for row in rows
                if row.level == level and row.code not in pks
            ]
            if missing:
                Region.objects.bulk_create(missing, batch_size=1000)
                created[level] = len(missing)
                # Children need their parents' keys; reading them back works on every database.
                pks.update(Region.objects.unscoped().filter(level=level).values_list("code", "pk"))
    return RegionCounts(
        provinces=created[RegionLevel.PROVINCE],
        cities=created[RegionLevel.CITY],
        districts=created[RegionLevel.DISTRICT],
    )


def region_choices(parent_code: str | None = None, *, regions: QuerySet[Region] | None = None) -> QuerySet[Region]:
    """The regions directly under ``parent_code`` (the provinces when it is empty), in code order.

    ``regions`` is the queryset to read from: a view passes its scoped queryset, a form field its
    (scope-narrowed) choices. Without it every region is read, as reference data every role may see.
    """
    regions = Region.objects.all() if regions is None else regions
    if parent_code:
        return regions.filter(parent__code=parent_code).order_by("code")
    return regions.filter(parent__isnull=True).order_by("code")


def get_region(code: str, *, regions: QuerySet[Region] | None = None) -> Region | None:
    """The region with this code (with its parents joined), or None."""
    regions = Region.objects.all() if regions is None else regions
    return regions.select_related("parent__parent").filter(code=code).first()
