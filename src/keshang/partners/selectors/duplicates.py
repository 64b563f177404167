"""The duplicate finder (查重, issue 3): groups of probable duplicates among the partners a user may assign.

**Who.** Both need the "assign" action on partners, and both only ever see partners visible to the
actor for "assign". Merging decides who owns a customer and deletes a record, which is what "assign"
already stands for; in the default roles that is the sales managers (their department tree) and the
administrators (everything). Reps, who may view, add and change their own partners, never see the tool.

:func:`find_duplicate_groups` reports groups of probable duplicates:

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
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

from keshang.core.permissions import Action

from ..models import Partner

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
