"""Forms of ownership and the pool: handing partners over (one or a batch), releasing, sharing, the pool rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from keshang.core.forms import ScopedFormMixin
from keshang.org.models import User

from .. import selectors
from ..models import HandoverReason, Partner, PoolRules

__all__ = ["UserChoiceField", "HandoverForm", "BatchHandoverForm", "ReleaseForm", "ShareForm", "PoolRulesForm"]


class UserChoiceField(forms.ModelChoiceField):
    """People are told apart by their department: 王芳（华东销售组）."""

    def label_from_instance(self, obj):
        return f"{obj}（{obj.department}）" if obj.department_id else str(obj)


REASON_CHOICES = [("", gettext_lazy("请选择")), *HandoverReason.choices]


class HandoverForm(ScopedFormMixin, forms.Form):
    """New owner, reason and notes: reason and notes are required for a transfer, optional for assigning."""

    owner = UserChoiceField(
        label=gettext_lazy("新负责人"),
        queryset=User.objects.none(),
        error_messages={"required": gettext_lazy("请选择新负责人。")},
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("交接原因"),
        choices=REASON_CHOICES,
        required=False,
        error_messages={"required": gettext_lazy("请选择交接原因。")},
    )
    notes = forms.CharField(
        label=gettext_lazy("交接说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("例如：客户的跟进进度、未完成的报价和需要注意的事项。"),
        error_messages={"required": gettext_lazy("请填写交接说明。")},
    )

    def __init__(self, *args, user, require_reason: bool, exclude_owner=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        owners = selectors.list_assignable_owners(user=user)
        if exclude_owner is not None:
            owners = owners.exclude(pk=exclude_owner.pk)
        self.fields["owner"].queryset = owners
        self.fields["reason"].required = require_reason
        self.fields["notes"].required = require_reason


class BatchHandoverForm(HandoverForm):
    partners = forms.ModelMultipleChoiceField(
        label=gettext_lazy("客商"),
        queryset=Partner.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请至少选择一个客商。")},
    )
    field_order = ["partners", "owner", "reason", "notes"]

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = partners
        self.order_fields(self.field_order)


class ReleaseForm(ScopedFormMixin, forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("原因"), choices=REASON_CHOICES, required=False)
    notes = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ShareForm(ScopedFormMixin, forms.Form):
    user = UserChoiceField(
        label=gettext_lazy("协作人"),
        queryset=User.objects.none(),
        error_messages={"required": gettext_lazy("请选择协作人。")},
    )
    can_write = forms.BooleanField(label=gettext_lazy("可编辑"), required=False)

    def __init__(self, *args, user, partner, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["user"].queryset = selectors.list_assignable_owners(user=user).exclude(pk=partner.owner_id)


class PoolRulesForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = PoolRules
        fields = [
            "max_owned_customers",
            "claim_cooldown_days",
            "recycle_without_followup_days",
            "recycle_without_deal_days",
        ]
