"""Forms of the duplicate finder and the merge page (查重与合并)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .. import selectors
from ..models import Partner
from ..selectors import DuplicateReason, MergeChoice

__all__ = ["DuplicateFilterForm", "PartnerMergeForm"]


class DuplicateFilterForm(forms.Form):
    threshold = forms.IntegerField(
        label=gettext_lazy("相似度阈值（%）"),
        min_value=selectors.MIN_THRESHOLD,
        max_value=selectors.MAX_THRESHOLD,
        required=False,
        widget=forms.NumberInput(
            attrs={"class": "form-control form-control-sm", "placeholder": selectors.DEFAULT_THRESHOLD, "step": 1}
        ),
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("重复原因"),
        choices=[("", gettext_lazy("全部")), *DuplicateReason.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        message = selectors.threshold_message()
        self.fields["threshold"].error_messages.update(invalid=message, min_value=message, max_value=message)

    def report_arguments(self) -> dict:
        reason = self.cleaned_data.get("reason")
        return {
            "threshold": self.cleaned_data.get("threshold") or selectors.DEFAULT_THRESHOLD,
            "reasons": [reason] if reason else None,
        }


RADIO = forms.RadioSelect(attrs={"class": "form-check-input"})


class PartnerMergeForm(forms.Form):
    """The record to keep, and for each field whose values differ, the record whose value to keep.

    Choices name records (their pks), not "survivor"/"duplicate", so a value picked on the page stays
    the one picked when the user then changes which record to keep.
    """

    survivor = forms.TypedChoiceField(label=gettext_lazy("保留的记录"), coerce=int, widget=RADIO)
    confirm = forms.BooleanField(
        label=gettext_lazy("我已核对以上内容：合并后另一条记录将被删除，此操作不能撤销。"),
        error_messages={"required": gettext_lazy("请勾选确认后再合并。")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, data=None, *, first: Partner, second: Partner, rows: list[selectors.FieldComparison]):
        super().__init__(data)
        choices = [(first.pk, str(first)), (second.pk, str(second))]
        self.fields["survivor"].choices = choices
        self.fields["survivor"].initial = first.pk
        for row in rows:
            if row.differs:
                self.fields[f"field_{row.name}"] = forms.TypedChoiceField(
                    label=row.label,
                    choices=choices,
                    coerce=int,
                    initial=first.pk if row.default == MergeChoice.SURVIVOR else second.pk,
                    widget=RADIO,
                )

    def field_choices(self) -> dict[str, str]:
        survivor = self.cleaned_data["survivor"]
        return {
            name.removeprefix("field_"): MergeChoice.SURVIVOR if value == survivor else MergeChoice.DUPLICATE
            for name, value in self.cleaned_data.items()
            if name.startswith("field_")
        }
