"""Duplicate control (查重, 防撞单): which partners a new or changed one may copy, under the policy
``KESHANG_PARTNER_DUPLICATES`` says. Deliberately unscoped reads: a rep must learn that a customer they cannot see
is already someone else's, and learns only its name, its owner and which field matched."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core.exceptions import ApplicationError

from .. import text
from ..models import Partner

__all__ = [
    "DUPLICATES_BLOCK_OTHERS",
    "DUPLICATES_WARN",
    "DUPLICATES_BLOCK",
    "DUPLICATE_POLICIES",
    "DuplicateMatch",
    "DuplicatePartnerError",
    "duplicate_policy",
    "find_duplicates",
    "duplicate_error",
    "check_partner_duplicates",
]

# What KESHANG_PARTNER_DUPLICATES may say. Whatever it says, a repeated credit code is refused.
DUPLICATES_BLOCK_OTHERS = "block_others"  # the default: refuse a copy of someone else's partner, warn otherwise
DUPLICATES_WARN = "warn"  # warn about every suspected duplicate; the user may confirm and save
DUPLICATES_BLOCK = "block"  # refuse every suspected duplicate
DUPLICATE_POLICIES = (DUPLICATES_BLOCK_OTHERS, DUPLICATES_WARN, DUPLICATES_BLOCK)

# The partner fields duplicate control compares, and how the reason reads.
_REASONS = {
    "code": gettext_lazy("编号相同"),  # the importer's: a code is unique, so the services refuse it as a field
    "credit_code": gettext_lazy("统一社会信用代码相同"),
    "name": gettext_lazy("名称相同"),
    "phone": gettext_lazy("电话相同"),
}


@dataclass(frozen=True)
class DuplicateMatch:
    """What a user may learn about a duplicate they cannot open: its name and its owner, nothing else.
    ``matched`` are the fields that matched (``credit_code``, ``name``, ``phone``); ``owner_pk`` decides
    whose record it is and is never shown."""

    pk: int
    name: str
    owner_name: str
    matched: tuple[str, ...]
    owner_pk: int | None = None

    @property
    def reason(self) -> str:
        return "、".join(str(_REASONS[field]) for field in self.matched)

    @property
    def same_credit_code(self) -> bool:
        return "credit_code" in self.matched

    def owned_by_other_than(self, owner_pk: int | None) -> bool:
        """Someone else's: owned (not in the pool) by another user than ``owner_pk``."""
        return self.owner_pk is not None and self.owner_pk != owner_pk

    def describe(self) -> str:
        owner = self.owner_name or _("公海")
        return _("“%(name)s”（负责人：%(owner)s，%(reason)s）") % {
            "name": self.name,
            "owner": owner,
            "reason": self.reason,
        }


class DuplicatePartnerError(ApplicationError):
    """A suspected duplicate. ``code`` tells API clients what they may do next:

    * ``duplicate_partner``: a warning; sending ``confirm_duplicate`` saves anyway;
    * ``duplicate_partner_owned``: refused, someone else owns the partner; ask them to share it or hand it
      over (``request-access``, :mod:`.access_requests`);
    * ``duplicate_partner_blocked``: refused (same credit code, or the ``block`` policy).

    ``fields`` names the fields that matched, each with the message.
    """

    def __init__(self, matches: list[DuplicateMatch], *, blocking: bool, owned_by_others: bool = False):
        self.matches = matches
        self.blocking = blocking or owned_by_others
        self.owned_by_others = owned_by_others
        names = "；".join(match.describe() for match in matches[:5])
        if owned_by_others:
            code = "duplicate_partner_owned"
            message = _("已有他人负责的相同客商：%(names)s。不能重复建立，可以向负责人申请共享或转给您。")
        elif blocking:
            code = "duplicate_partner_blocked"
            message = _("已存在相同的客商：%(names)s。")
        else:
            code = "duplicate_partner"
            message = _("可能与已有客商重复：%(names)s。确认无误可勾选“仍然保存”。")
        message = message % {"names": names}
        matched = dict.fromkeys(field for match in matches for field in match.matched)
        super().__init__(message, code=code, fields={field: [message] for field in matched})


def duplicate_policy() -> str:
    """``KESHANG_PARTNER_DUPLICATES`` (see :data:`DUPLICATE_POLICIES`); checks.py refuses other values."""
    return getattr(settings, "KESHANG_PARTNER_DUPLICATES", DUPLICATES_BLOCK_OTHERS)


def find_duplicates(
    *, name: str = "", credit_code: str = "", phone: str = "", exclude_pk: int | None = None
) -> list[DuplicateMatch]:
    """Partners sharing a name key, credit code or phone key (``phone`` is a key already), among ALL partners.

    Deliberately unscoped: 防撞单 only works if a rep learns that a customer they cannot see is
    already owned; what they learn is limited to :class:`DuplicateMatch` (name and owner).
    """
    matched: dict[int, list[str]] = {}
    checks = [
        ("credit_code", "credit_code", credit_code or ""),
        ("name", "name_key", text.name_key(name) if name else ""),
        ("phone", "phone_key", phone or ""),
    ]
    for field, column, value in checks:
        if not value:
            continue
        rows = Partner.objects.unscoped().filter(**{column: value})
        if exclude_pk is not None:
            rows = rows.exclude(pk=exclude_pk)
        for pk in rows.values_list("pk", flat=True)[:20]:
            matched.setdefault(pk, []).append(field)
    if not matched:
        return []
    partners = Partner.objects.unscoped().filter(pk__in=matched).select_related("owner").order_by("pk")
    return [
        DuplicateMatch(
            pk=p.pk,
            name=p.name,
            owner_name=str(p.owner) if p.owner else "",
            matched=tuple(matched[p.pk]),
            owner_pk=p.owner_id,
        )
        for p in partners
    ]


def duplicate_error(
    matches: list[DuplicateMatch], *, owner_pk: int | None, confirmed: bool = False
) -> DuplicatePartnerError | None:
    """What the policy makes of ``matches`` for a partner owned by ``owner_pk`` (None: the pool): the error to
    raise, or None when it may be saved (no matches, or a warning the user has ``confirmed``)."""
    if not matches:
        return None
    policy = duplicate_policy()
    theirs = [match for match in matches if match.owned_by_other_than(owner_pk)]
    if theirs and policy != DUPLICATES_WARN:
        return DuplicatePartnerError(theirs, blocking=True, owned_by_others=True)
    if any(match.same_credit_code for match in matches):
        # Decided on the matched key, not on the (translated) reason text.
        return DuplicatePartnerError(matches, blocking=True, owned_by_others=bool(theirs))
    if policy == DUPLICATES_BLOCK:
        return DuplicatePartnerError(matches, blocking=True)
    return None if confirmed else DuplicatePartnerError(matches, blocking=False)


def check_partner_duplicates(partner: Partner, *, confirm_duplicate: bool) -> None:
    """Raise what the policy makes of the partners ``partner`` (keys derived) would duplicate, if anything."""
    matches = find_duplicates(
        name=partner.name, credit_code=partner.credit_code or "", phone=partner.phone_key, exclude_pk=partner.pk
    )
    error = duplicate_error(matches, owner_pk=partner.owner_id, confirmed=confirm_duplicate)
    if error is not None:
        raise error
