"""Partner codes (客户编号 / 供应商编号): typed or imported, else the next number of a sequence per prefix."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import F

from keshang.core.models import NumberSequence
from keshang.core.numbering import format_number, next_number

from ..models import Partner

__all__ = ["code_prefix", "assign_partner_codes"]


def code_prefix(partner: Partner) -> str:
    """C for customers (and partners that are both), S for suppliers only: C202611-00042, S202611-00007."""
    return "C" if partner.is_customer else "S"


def assign_partner_codes(partners: list[Partner], *, on=None) -> None:
    """Give each partner without a code the next one of its sequence (core.numbering), in the caller's
    transaction. A number someone already typed as a code (or that ``partners`` type themselves) is
    passed over. Numbers are taken a block at a time and checked in one query per round: an import of
    100,000 partners cannot afford a sequence update per partner."""
    typed = {partner.code for partner in partners if partner.code}
    waiting = [partner for partner in partners if not partner.code]
    while waiting:
        by_prefix: dict[str, list[Partner]] = {}
        for partner in waiting:
            by_prefix.setdefault(code_prefix(partner), []).append(partner)
        proposed = {
            code: partner
            for prefix, group in by_prefix.items()
            for code, partner in zip(_reserve_numbers(prefix, len(group), on=on), group, strict=True)
        }
        taken = typed | set(Partner.objects.unscoped().filter(code__in=proposed).values_list("code", flat=True))
        waiting = []
        for code, partner in proposed.items():
            if code in taken:
                waiting.append(partner)
            else:
                partner.code = code


_NUMBER = re.compile(r"(\d+)-(\d+)")


# Issue 11: this belongs in core as ``core.numbering.next_numbers(doc_type, count, on=)`` (every bulk import of
# numbered records needs it); kept here until core's reshaping is merged, so as not to edit core beside it.
def _reserve_numbers(doc_type: str, count: int, *, on=None) -> list[str]:
    """``count`` consecutive numbers of ``doc_type``: the first from core.numbering, which creates the period's
    sequence row if needed and locks it for this transaction, the others by moving that row on past them in
    one update while it is still locked."""
    with transaction.atomic():
        first = next_number(doc_type, on=on)
        period, value = _NUMBER.fullmatch(first.removeprefix(doc_type)).groups()
        if count > 1:
            NumberSequence.objects.filter(doc_type=doc_type, period=period).update(
                last_value=F("last_value") + count - 1
            )
    return [format_number(doc_type, period, int(value) + offset) for offset in range(count)]
