"""Partner codes (客户编号 / 供应商编号): typed or imported, else the next number of a sequence per prefix."""

from __future__ import annotations

from keshang.core.numbering import next_numbers

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
            for code, partner in zip(next_numbers(prefix, len(group), on=on), group, strict=True)
        }
        taken = typed | set(Partner.objects.unscoped().filter(code__in=proposed).values_list("code", flat=True))
        waiting = []
        for code, partner in proposed.items():
            if code in taken:
                waiting.append(partner)
            else:
                partner.code = code
