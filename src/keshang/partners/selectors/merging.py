"""What the merge page compares (合并): the fields a user chooses between, side by side and masked, and what hangs
off each partner. The merge itself is ``services.merge_partners``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core.masking import Masker
from keshang.core.models import Attachment, Collaboration
from keshang.core.tables import display_value

from ..models import Partner

__all__ = [
    "MERGE_FIELDS",
    "MergeChoice",
    "is_empty",
    "default_choice",
    "FieldComparison",
    "compare_partners",
    "PARTS",
    "count_parts",
]


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


def is_empty(value) -> bool:
    return value is None or value == ""


def default_choice(survivor: Partner, duplicate: Partner, field_name: str) -> str:
    """The survivor's value, unless it is empty and the duplicate's is not."""
    if is_empty(_raw(survivor, field_name)) and not is_empty(_raw(duplicate, field_name)):
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
