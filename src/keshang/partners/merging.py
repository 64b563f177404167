"""Partners: the duplicate finder and the merge tool (issue 3, 查重与合并).

**Who.** Both need the "assign" action on partners, and both only ever see partners visible to the
actor for "assign". Merging decides who owns a customer and deletes a record, which is what "assign"
already stands for; in the default roles that is the sales managers (their department tree) and the
administrators (everything). Reps, who may view, add and change their own partners, never see the tool.

**Finder.** :func:`find_duplicate_groups` reports groups of probable duplicates:

* exact: partners sharing a name key or a phone key, found by ``GROUP BY … HAVING COUNT(*) > 1`` on
  the indexed key columns. The credit code is unique in the database, so it can never form a group;
  duplicate control already refuses a second partner with the same code.
* similar: names whose keys score at least ``threshold`` (70–100, default 90) with ``fuzz.ratio``
  (:func:`keshang.partners.text.similarity` without re-deriving the keys). Comparing all pairs of
  100,000 names is 5·10⁹ comparisons, so :func:`similar_name_pairs` runs a prefix-filtered
  similarity join instead (AllPairs, Bayardo et al. 2007): keys are multisets of characters ordered
  rarest first; two keys scoring ≥ t share at least ``t·len/(200−t)`` characters, so they must share
  one of the first few rarest characters of each, and only keys sharing such a character (and of a
  compatible length) are compared. This misses no pair, and rare characters keep the candidate lists
  short. The work is capped (:data:`MAX_CANDIDATES` comparisons, :data:`MAX_SIMILAR_PAIRS` pairs);
  a capped report says so (``truncated``). Measured on SQLite with generated names (3 % near
  duplicates): the whole report for 20,000 partners takes 0.35 s at 90 (0.33 million comparisons),
  and stops at the pair cap within 0.3 s at 80 or 70; for 100,000 partners 2.6 s at 90.

**Merge.** :func:`merge_partners` moves everything of the duplicate onto the survivor in one
transaction with both rows locked, runs the merge steps later modules registered
(:func:`register_merge_step`), refuses to go on if any row still points at the duplicate, deletes it,
and records the merge in the audit trail and as a handover.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

from keshang.core import attachments, audit
from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.masking import Masker
from keshang.core.models import Attachment, AuditAction, Collaboration
from keshang.core.permissions import Action
from keshang.core.scope import recheck_scope
from keshang.core.tables import display_value

from . import services
from .models import Handover, HandoverKind, Partner, SupplierProfile

__all__ = [
    "MIN_THRESHOLD",
    "MAX_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "MAX_CANDIDATES",
    "MAX_SIMILAR_PAIRS",
    "DuplicateReason",
    "DuplicateGroup",
    "DuplicateReport",
    "similar_name_pairs",
    "threshold_message",
    "find_duplicate_groups",
    "load_group_members",
    "MERGE_FIELDS",
    "MergeChoice",
    "FieldComparison",
    "compare_partners",
    "count_parts",
    "MergeError",
    "register_merge_step",
    "merge_steps",
    "merge_partners",
    "register",
]

MIN_THRESHOLD, MAX_THRESHOLD, DEFAULT_THRESHOLD = 70, 100, 90
# About 5 s of comparing on one core; 100,000 generated names need 7.4 million at 90.
MAX_CANDIDATES = 20_000_000
# Beyond this many similar pairs the threshold is too low to be useful: the report asks for a higher one.
MAX_SIMILAR_PAIRS = 5_000
# Members are read in batches: SQLite allows a limited number of parameters per query.
MEMBER_BATCH = 500


#
# Finder
#


class DuplicateReason(models.TextChoices):
    NAME = "name", gettext_lazy("名称相同")
    PHONE = "phone", gettext_lazy("电话相同")
    SIMILAR = "similar", gettext_lazy("名称相似")


_REASON_ORDER = {reason: position for position, reason in enumerate(DuplicateReason.values)}


@dataclass(frozen=True)
class DuplicateGroup:
    """Partners that are probably one: ``partner_ids`` in ascending order (the oldest first), why, and
    for similar names the score. ``members`` is filled by :func:`load_group_members` for one page."""

    partner_ids: tuple[int, ...]
    reasons: tuple[str, ...]
    score: int | None = None
    members: tuple[Partner, ...] = ()

    def reason_display(self) -> str:
        labels = []
        for reason in self.reasons:
            if reason == DuplicateReason.SIMILAR:
                labels.append(_("名称相似 %(score)s%%") % {"score": self.score})
            else:
                labels.append(str(DuplicateReason(reason).label))
        return "、".join(labels)

    def pairs(self) -> list[tuple[Partner, Partner]]:
        """What the merge buttons offer: each later member with the oldest one."""
        return [(self.members[0], member) for member in self.members[1:]]


@dataclass(frozen=True)
class DuplicateReport:
    groups: list[DuplicateGroup]
    threshold: int
    partners_compared: int = 0
    comparisons: int = 0
    truncated: bool = False
    seconds: float = 0.0


def _tokens(key: str) -> list[str]:
    """A key as a set of tokens: its characters, a repeated one numbered (鑫鑫 → 鑫, 鑫#2), so that set
    overlap is multiset overlap. Most names repeat no character and take the fast path."""
    if len(set(key)) == len(key):
        return list(key)
    seen: Counter[str] = Counter()
    tokens = []
    for char in key:
        seen[char] += 1
        tokens.append(char if seen[char] == 1 else f"{char}#{seen[char]}")
    return tokens


def similar_name_pairs(
    keys: Iterable[str],
    *,
    threshold: int,
    max_candidates: int = MAX_CANDIDATES,
    max_pairs: int = MAX_SIMILAR_PAIRS,
) -> tuple[list[tuple[str, str, int]], int, bool]:
    """``(pairs, comparisons, truncated)``: every pair of distinct keys with ``fuzz.ratio >= threshold``
    as ``(key, key, score)``, unless a cap was reached first.

    ``fuzz.ratio`` is ``200·LCS/(la+lb)``, and the longest common subsequence is at most the multiset
    overlap, so a pair scoring ≥ t overlaps in at least ``t·(la+lb)/200`` characters, which is at least
    ``α = t·l/(200−t)`` for each key of length ``l`` (the partner is at least ``l·t/(200−t)`` long). Sorted
    by one global order (rarest first), two sets overlapping in ``α`` share one of their first
    ``l−α+1`` tokens (the prefix filter). Keys are processed shortest first and each is compared only
    with earlier keys that share a prefix token and are long enough, so each pair is scored once.
    """
    ordered = sorted({key for key in keys if key}, key=lambda key: (len(key), key))
    tokens = [_tokens(key) for key in ordered]
    frequency = Counter(token for key_tokens in tokens for token in key_tokens)
    rank = {token: position for position, token in enumerate(sorted(frequency, key=lambda t: (frequency[t], t)))}
    # Postings hold the keys themselves, so candidates go to rapidfuzz without a per-candidate lookup.
    index: dict[str, list[str]] = defaultdict(list)
    start: dict[str, int] = {}
    pairs: list[tuple[str, str, int]] = []
    comparisons = 0
    ratio = threshold / (200 - threshold)
    for key, key_tokens in zip(ordered, tokens, strict=True):
        length = len(key)
        # The epsilon keeps float error from rounding a bound up past an integer (a longer prefix is safe).
        shortest = math.ceil(length * ratio - 1e-9)
        prefix = sorted(key_tokens, key=rank.__getitem__)[: length - max(1, shortest) + 1]
        candidates: set[str] = set()
        for token in prefix:
            postings = index[token]
            # Keys arrive shortest first, so a key too short for this one is too short for every later one.
            first = start.get(token, 0)
            while first < len(postings) and len(postings[first]) < shortest:
                first += 1
            start[token] = first
            candidates.update(postings[first:] if first else postings)
        if candidates:
            if comparisons + len(candidates) > max_candidates:
                return pairs, comparisons, True
            comparisons += len(candidates)
            matches = process.extract(key, list(candidates), scorer=fuzz.ratio, score_cutoff=threshold, limit=None)
            pairs.extend((match, key, int(score)) for match, score, _at in matches)
            if len(pairs) > max_pairs:
                return pairs[:max_pairs], comparisons, True
        for token in prefix:
            index[token].append(key)
    return pairs, comparisons, False


def _exact_groups(partners, field_name: str) -> dict[str, list[int]]:
    """Keys of ``field_name`` shared by more than one partner, with those partners' ids."""
    # order_by(): GROUP BY only the key, never the model's default ordering.
    shared = (
        partners.exclude(**{field_name: ""})
        .order_by()
        .values(field_name)
        .annotate(partner_count=Count("pk"))
        .filter(partner_count__gt=1)
        .values(field_name)
    )
    groups: dict[str, list[int]] = defaultdict(list)
    rows = partners.filter(**{f"{field_name}__in": shared}).order_by().values_list(field_name, "pk")
    for key, pk in rows.iterator(chunk_size=5000):
        groups[key].append(pk)
    return groups


def threshold_message() -> str:
    return _("相似度阈值应为 %(min)s 到 %(max)s 之间的整数。") % {"min": MIN_THRESHOLD, "max": MAX_THRESHOLD}


def find_duplicate_groups(
    *, user, threshold: int = DEFAULT_THRESHOLD, reasons: Sequence[str] | None = None
) -> DuplicateReport:
    """Groups of probable duplicates among the partners ``user`` may act on with "assign".

    ``reasons`` limits the report to some of :class:`DuplicateReason` (all by default). Groups with the
    same members are one group with every reason; groups come more reasons first, then names before
    phones before similar names, higher scores first, older partners first.
    """
    if not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise ValidationError({"threshold": threshold_message()})
    wanted = set(reasons or DuplicateReason.values)
    started = time.perf_counter()
    partners = Partner.objects.visible_to(user, Action.ASSIGN)
    found: dict[frozenset[int], dict] = {}

    def add(ids: Iterable[int], reason: str, score: int | None = None) -> None:
        members = frozenset(ids)
        entry = found.setdefault(members, {"reasons": set(), "score": None})
        entry["reasons"].add(reason)
        if score is not None:
            entry["score"] = max(score, entry["score"] or 0)

    for ids in _exact_groups(partners, "name_key").values():
        add(ids, DuplicateReason.NAME)
    for ids in _exact_groups(partners, "phone_key").values():
        add(ids, DuplicateReason.PHONE)

    compared, comparisons, truncated = 0, 0, False
    if DuplicateReason.SIMILAR in wanted:
        ids_by_key: dict[str, list[int]] = defaultdict(list)
        for pk, key in partners.exclude(name_key="").order_by().values_list("pk", "name_key").iterator(chunk_size=5000):
            ids_by_key[key].append(pk)
            compared += 1
        pairs, comparisons, truncated = similar_name_pairs(ids_by_key, threshold=threshold)
        for key_a, key_b, score in pairs:
            add([*ids_by_key[key_a], *ids_by_key[key_b]], DuplicateReason.SIMILAR, score)

    groups = [
        DuplicateGroup(
            partner_ids=tuple(sorted(ids)),
            reasons=tuple(sorted(entry["reasons"], key=_REASON_ORDER.__getitem__)),
            score=entry["score"],
        )
        for ids, entry in found.items()
        if entry["reasons"] & wanted
    ]
    groups.sort(
        key=lambda group: (-len(group.reasons), _REASON_ORDER[group.reasons[0]], -(group.score or 0), group.partner_ids)
    )
    return DuplicateReport(
        groups=groups,
        threshold=threshold,
        partners_compared=compared,
        comparisons=comparisons,
        truncated=truncated,
        seconds=time.perf_counter() - started,
    )


def load_group_members(*, user, groups: Sequence[DuplicateGroup]) -> list[DuplicateGroup]:
    """The groups with their partners read (owner, department, ``contact_count``), still through the
    "assign" scope; members gone since the report (merged meanwhile) are dropped, and so are groups
    left with fewer than two."""
    wanted = sorted({pk for group in groups for pk in group.partner_ids})
    partners = (
        Partner.objects.visible_to(user, Action.ASSIGN)
        .select_related("owner", "department")
        .annotate(contact_count=Count("contacts"))
    )
    found: dict[int, Partner] = {}
    for first in range(0, len(wanted), MEMBER_BATCH):
        found.update((partner.pk, partner) for partner in partners.filter(pk__in=wanted[first : first + MEMBER_BATCH]))
    loaded = []
    for group in groups:
        members = tuple(found[pk] for pk in group.partner_ids if pk in found)
        if len(members) >= 2:
            loaded.append(replace(group, members=members))
    return loaded


#
# Merge: what the page compares
#

# What the user chooses field by field; "owner" brings the department with it. The roles are joined
# (the duplicate's supplier profile moves over, so a supplier stays a supplier) and the follow-up and
# deal dates keep the latest, so neither is offered.
MERGE_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "credit_code",
    "industry",
    "level",
    "status",
    "source",
    "country",
    "region",
    "address",
    "phone",
    "email",
    "website",
    "credit_limit",
    "payment_terms",
    "notes",
    "owner",
)


class MergeChoice(models.TextChoices):
    SURVIVOR = "survivor", gettext_lazy("保留记录的值")
    DUPLICATE = "duplicate", gettext_lazy("被合并记录的值")


def _raw(partner: Partner, field_name: str):
    return getattr(partner, Partner._meta.get_field(field_name).attname)


def _is_empty(value) -> bool:
    return value is None or value == ""


def default_choice(survivor: Partner, duplicate: Partner, field_name: str) -> str:
    """The survivor's value, unless it is empty and the duplicate's is not."""
    if _is_empty(_raw(survivor, field_name)) and not _is_empty(_raw(duplicate, field_name)):
        return MergeChoice.DUPLICATE
    return MergeChoice.SURVIVOR


@dataclass(frozen=True)
class FieldComparison:
    """One row of the merge page: the two values as shown (masked where the user may not see them)."""

    name: str
    label: str
    survivor_value: str
    duplicate_value: str
    differs: bool
    default: str


def _shown(partner: Partner, field_name: str, masker: Masker) -> str:
    if field_name == "owner":
        owner = str(partner.owner) if partner.owner_id else _("公海")
        return f"{owner}（{partner.department}）" if partner.department_id else owner
    model_field = Partner._meta.get_field(field_name)
    value = getattr(partner, f"get_{field_name}_display")() if model_field.choices else getattr(partner, field_name)
    return display_value(masker.value(partner, field_name, value) if field_name in masker.fields else value)


def compare_partners(*, user, survivor: Partner, duplicate: Partner) -> list[FieldComparison]:
    """Every field of :data:`MERGE_FIELDS`, side by side; sensitive values masked per "view_sensitive"."""
    masker = Masker(user, Partner).prepare([survivor, duplicate])
    rows = []
    for field_name in MERGE_FIELDS:
        if field_name == "owner":
            differs = (survivor.owner_id, survivor.department_id) != (duplicate.owner_id, duplicate.department_id)
        else:
            differs = _raw(survivor, field_name) != _raw(duplicate, field_name)
        rows.append(
            FieldComparison(
                name=field_name,
                label=str(Partner._meta.get_field(field_name).verbose_name),
                survivor_value=_shown(survivor, field_name, masker),
                duplicate_value=_shown(duplicate, field_name, masker),
                differs=differs,
                default=default_choice(survivor, duplicate, field_name),
            )
        )
    return rows


# The parts a merge moves, as (key, related name, label) for the page and the handover record.
PARTS = (
    ("contacts", "contacts", gettext_lazy("联系人")),
    ("addresses", "addresses", gettext_lazy("地址")),
    ("bank_accounts", "bank_accounts", gettext_lazy("银行账户")),
    ("qualifications", "qualifications", gettext_lazy("资质")),
    ("handovers", "handovers", gettext_lazy("交接记录")),
)


def count_parts(*, partner: Partner) -> list[tuple[str, int]]:
    """(label, count) of what hangs off a partner the caller already read through its scope."""
    counts = [(str(label), getattr(partner, related).count()) for _key, related, label in PARTS]
    counts.append((_("附件"), Attachment.objects.for_object(partner).count()))
    counts.append((_("协作人"), Collaboration.objects.for_object(partner).count()))
    counts.append((_("标签"), partner.tags.count()))
    return counts


#
# Merge: the registry later modules join through
#

MergeStep = Callable[..., int]
_merge_steps: dict[str, MergeStep] = {}
_merge_step_labels: dict[str, str] = {}


def register_merge_step(name: str, step: MergeStep, *, label: str = "") -> None:
    """Let a later module move its records when two partners are merged (call from ``AppConfig.ready()``).

    ``step(*, survivor, duplicate, actor) -> int`` runs inside the merge's transaction with both
    partners locked, after the partners' own parts have moved and before the duplicate is deleted. It
    moves every row of the module that points at ``duplicate`` onto ``survivor``, writes their audit
    entries (``related=survivor``) and returns how many rows it moved, which is kept in the merge's
    handover record under ``name`` (shown as ``label``). A row left pointing at the duplicate stops the merge.
    """
    _merge_steps[name] = step
    if label:
        _merge_step_labels[name] = label


def merge_steps() -> list[tuple[str, MergeStep]]:
    return list(_merge_steps.items())


#
# Merge: the service
#


class MergeError(ApplicationError):
    pass


def _check_choices(field_choices: dict | None) -> dict[str, str]:
    choices = dict(field_choices or {})
    unknown = sorted(set(choices) - set(MERGE_FIELDS))
    if unknown:
        raise ValidationError({"field_choices": _("不能选择的字段：%(fields)s。") % {"fields": "、".join(unknown)}})
    invalid = sorted(name for name, choice in choices.items() if choice not in MergeChoice.values)
    if invalid:
        raise ValidationError(
            {"field_choices": _("字段 %(fields)s 只能选择 survivor 或 duplicate。") % {"fields": "、".join(invalid)}}
        )
    return choices


def _lock_pair(actor, survivor_pk: int, duplicate_pk: int) -> tuple[Partner, Partner]:
    """Both partners, locked in pk order (every merge locks the same way, so two merges cannot deadlock)."""
    rows = list(
        Partner.objects.visible_to(actor, Action.ASSIGN)
        .filter(pk__in=[survivor_pk, duplicate_pk])
        .select_for_update()
        .order_by("pk")
    )
    by_pk = {partner.pk: partner for partner in rows}
    if survivor_pk not in by_pk or duplicate_pk not in by_pk:
        raise ScopeViolation(_("客商不存在或超出您的数据权限范围。"))
    return by_pk[survivor_pk], by_pk[duplicate_pk]


def _move_rows(*, actor, rows, survivor: Partner, clear_flag: str = "", keep_flag=lambda row: True) -> int:
    """Re-parent ``rows`` onto the survivor, each audited on the survivor; ``clear_flag`` (primary,
    default) is cleared where ``keep_flag(row)`` says the survivor already has one."""
    count = 0
    for row in rows:
        before = audit.snapshot(row)
        row.partner = survivor
        if clear_flag and getattr(row, clear_flag) and not keep_flag(row):
            setattr(row, clear_flag, False)
        row.full_clean()
        row.save()
        audit.record(
            actor=actor, obj=row, action=AuditAction.UPDATE, before=before, after=audit.snapshot(row), related=survivor
        )
        count += 1
    return count


def _move_supplier_profile(*, actor, survivor: Partner, duplicate: Partner) -> int:
    """Move the duplicate's profile; if the survivor has one, keep it and fill only its blanks."""
    profile = SupplierProfile.objects.filter(partner=duplicate).first()
    if profile is None:
        return 0
    kept = SupplierProfile.objects.filter(partner=survivor).first()
    if kept is None:
        return _move_rows(actor=actor, rows=[profile], survivor=survivor)
    before = audit.snapshot(kept)
    for name in ("main_products", "rating_delivery", "rating_quality", "rating_price", "rating_service"):
        if _is_empty(getattr(kept, name)):
            setattr(kept, name, getattr(profile, name))
    kept.full_clean()
    kept.save()
    if before != audit.snapshot(kept):
        audit.record(actor=actor, obj=kept, action=AuditAction.UPDATE, before=before, related=survivor)
    audit.record(actor=actor, obj=profile, action=AuditAction.DELETE, before=audit.snapshot(profile), related=survivor)
    profile.delete()
    return 1


def _move_collaborators(*, actor, survivor: Partner, duplicate: Partner) -> int:
    """Share the survivor with the duplicate's collaborators; someone on both keeps the wider right."""
    count = 0
    existing = {row.user_id: row for row in Collaboration.objects.for_object(survivor)}
    for collaboration in Collaboration.objects.for_object(duplicate):
        before = audit.snapshot(collaboration)
        kept = existing.get(collaboration.user_id)
        if kept is None:
            collaboration.object_id = survivor.pk
            collaboration.full_clean()
            collaboration.save()
            audit.record(actor=actor, obj=collaboration, action=AuditAction.UPDATE, before=before, related=survivor)
        else:
            if collaboration.can_write and not kept.can_write:
                kept_before = audit.snapshot(kept)
                kept.can_write = True
                kept.save(update_fields=["can_write"])
                audit.record(actor=actor, obj=kept, action=AuditAction.UPDATE, before=kept_before, related=survivor)
            audit.record(actor=actor, obj=collaboration, action=AuditAction.DELETE, before=before, related=survivor)
            collaboration.delete()
        count += 1
    return count


def _move_parts(*, actor, survivor: Partner, duplicate: Partner) -> dict[str, int]:
    has_primary = survivor.contacts.filter(is_primary=True).exists()
    default_kinds = set(survivor.addresses.filter(is_default=True).values_list("kind", flat=True))
    has_default_account = survivor.bank_accounts.filter(is_default=True).exists()
    return {
        "contacts": _move_rows(
            actor=actor,
            rows=duplicate.contacts.all(),
            survivor=survivor,
            clear_flag="is_primary",
            keep_flag=lambda contact: not has_primary,
        ),
        "addresses": _move_rows(
            actor=actor,
            rows=duplicate.addresses.all(),
            survivor=survivor,
            clear_flag="is_default",
            keep_flag=lambda address: address.kind not in default_kinds,
        ),
        "bank_accounts": _move_rows(
            actor=actor,
            rows=duplicate.bank_accounts.all(),
            survivor=survivor,
            clear_flag="is_default",
            keep_flag=lambda account: not has_default_account,
        ),
        "qualifications": _move_rows(actor=actor, rows=duplicate.qualifications.all(), survivor=survivor),
        "supplier_profile": _move_supplier_profile(actor=actor, survivor=survivor, duplicate=duplicate),
        "handovers": _move_rows(actor=actor, rows=duplicate.handovers.all(), survivor=survivor),
        "attachments": attachments.move_attachments(actor=actor, source=duplicate, target=survivor),
        "collaborators": _move_collaborators(actor=actor, survivor=survivor, duplicate=duplicate),
    }


def _check_nothing_left(duplicate: Partner) -> None:
    """Deleting the duplicate would cascade to (or orphan, or be refused by) any row still pointing at
    it: a module that added a relation to partners without a merge step. Stop instead of losing data."""
    # include_hidden: relations declared with related_name="+" (a document's customer, a price rule's) are
    # hidden from ``_meta.related_objects``, and a cascade would delete their rows just the same. Not counted:
    # the tables Django makes for many-to-many fields (the merge moves the tags itself) and rows derived from the
    # partner's own fields (``derived_from_partner``: its search index, rebuilt for the survivor).
    relations = [
        field
        for field in Partner._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and (field.one_to_many or field.one_to_one)
        and not field.related_model._meta.auto_created
        and not getattr(field.related_model, "derived_from_partner", False)
    ]
    for relation in relations:
        # Deliberately unscoped: every row counts, whoever may see it.
        left = relation.related_model._base_manager.filter(**{relation.field.name: duplicate.pk}).count()
        if left:
            raise MergeError(
                _("“%(name)s”还有 %(count)s 条%(model)s无法转移，合并已取消。")
                % {"name": duplicate, "count": left, "model": relation.related_model._meta.verbose_name},
                code="merge_incomplete",
            )


def _take_fields(survivor: Partner, duplicate: Partner, choices: dict[str, str]) -> None:
    for field_name in MERGE_FIELDS:
        choice = choices.get(field_name) or default_choice(survivor, duplicate, field_name)
        if choice != MergeChoice.DUPLICATE:
            continue
        if field_name == "owner":
            survivor.owner_id, survivor.department_id = duplicate.owner_id, duplicate.department_id
            survivor.owned_since = duplicate.owned_since
        else:
            attname = Partner._meta.get_field(field_name).attname
            setattr(survivor, attname, getattr(duplicate, attname))
            if field_name == "phone":
                survivor.phone_unverified = duplicate.phone_unverified  # the number comes with what is known of it
    survivor.is_customer = survivor.is_customer or duplicate.is_customer
    survivor.is_supplier = survivor.is_supplier or duplicate.is_supplier
    for name in ("last_followup_at", "last_deal_at"):
        dates = [value for value in (getattr(survivor, name), getattr(duplicate, name)) if value is not None]
        setattr(survivor, name, max(dates, default=None))


def _summary(moved: dict[str, int]) -> str:
    labels = {key: str(label) for key, _related, label in PARTS}
    labels.update(supplier_profile=_("供应商档案"), attachments=_("附件"), collaborators=_("协作人"))
    labels.update({name: str(label) for name, label in _merge_step_labels.items()})
    return "、".join(f"{labels.get(name, name)} {count}" for name, count in moved.items() if count)


def merge_partners(
    *, actor, survivor: Partner, duplicate: Partner, field_choices: dict[str, str] | None = None
) -> Partner:
    """Merge ``duplicate`` into ``survivor`` and delete it; returns the survivor.

    ``field_choices`` maps fields of :data:`MERGE_FIELDS` to "survivor" or "duplicate"; a field not
    named keeps :func:`default_choice`. Both partners must be visible to ``actor`` for "assign"
    (:class:`~keshang.core.exceptions.ScopeViolation` otherwise); on any refusal nothing changes.
    """
    if survivor.pk == duplicate.pk:
        raise MergeError(_("不能将客商与其自身合并。"), code="merge_self")
    choices = _check_choices(field_choices)
    with transaction.atomic():
        survivor, duplicate = _lock_pair(actor, survivor.pk, duplicate.pk)
        survivor_before = audit.snapshot(survivor)
        duplicate_before = audit.snapshot(duplicate)
        duplicate_tags = list(duplicate.tags.all())
        from_owner = duplicate.owner

        moved = _move_parts(actor=actor, survivor=survivor, duplicate=duplicate)
        for name, step in merge_steps():
            moved[name] = step(survivor=survivor, duplicate=duplicate, actor=actor)
        _check_nothing_left(duplicate)

        merged_name, merged_pk = duplicate.name, duplicate.pk
        _take_fields(survivor, duplicate, choices)
        audit.record(
            actor=actor,
            obj=duplicate,
            action=AuditAction.DELETE,
            before=duplicate_before,
            message=_("已合并到“%(name)s”(#%(pk)s)") % {"name": survivor_before["name"], "pk": survivor.pk},
            related=survivor,
        )
        # Deleted before the survivor is saved: the credit code is unique and may be the one it takes over.
        duplicate.delete()

        services.derive_partner_keys(survivor)
        # A new version: an edit form opened on the survivor before the merge must not write its old values back.
        survivor.version += 1
        survivor.full_clean()
        survivor.save()
        survivor.tags.add(*duplicate_tags)
        message = _("合并了“%(name)s”(#%(pk)s)") % {"name": merged_name, "pk": merged_pk}
        summary = _summary(moved)
        handover = Handover(
            partner=survivor,
            kind=HandoverKind.MERGE,
            from_owner=from_owner,
            to_owner=survivor.owner,
            notes=f"{message}：{summary}" if summary else message,
            moved={name: count for name, count in moved.items() if count},
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        handover.full_clean()
        handover.save()
        audit.record(actor=actor, obj=handover, action=AuditAction.CREATE, related=survivor)
        audit.record(actor=actor, obj=survivor, action=AuditAction.UPDATE, before=survivor_before, message=message)
        recheck_scope(user=actor, obj=survivor, action=Action.ASSIGN)
    return survivor


#
# Registration (called from PartnersConfig.ready())
#


def register() -> None:
    """The 查重与合并 menu item, for users granted "assign" on partners."""
    from keshang.core.registry import MenuItem, register_menu_item

    register_menu_item(
        MenuItem(
            "partners",
            gettext_lazy("查重与合并"),
            "partners:partner_duplicates",
            "partners.partner",
            Action.ASSIGN,
            order=60,
        )
    )
