"""Forms, filters and tables of the approval pages: the decision form, flows with their steps, delegations."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core.documents.pricecontrol import PRICE_CONTROL_TYPE
from keshang.core.filters import ActiveFilter, ScopedFilterSet
from keshang.core.forms import ScopedFormMixin
from keshang.core.models import ApprovalDelegation, ApprovalFlow, ApprovalMode, ApproverKind
from keshang.core.people import role_model, user_model
from keshang.core.tables import Column, Table

from .flows import step_errors
from .registry import approvables, condition_choices

__all__ = [
    "DecisionForm",
    "ApprovalFlowForm",
    "ApprovalStepForm",
    "ApprovalStepFormSet",
    "ApprovalDelegationForm",
    "ApprovalFlowFilterSet",
    "ApprovalDelegationFilterSet",
    "ApprovalFlowTable",
    "ApprovalDelegationTable",
    "document_type_choices",
    "document_type_label",
]


def document_type_choices() -> list[tuple[str, str]]:
    """The registered document types, and price control (who approves a priced document that breaks the price
    rules when no flow of its own type applies: ``core.documents.pricecontrol``)."""
    types = [(label, str(item.verbose_name)) for label, item in approvables().items()]
    return sorted([*types, (PRICE_CONTROL_TYPE, str(price_control_label()))], key=lambda c: c[1])


def price_control_label():
    return _("价格管控（所有带价单据）")


def document_type_label(value: str) -> str:
    if value == PRICE_CONTROL_TYPE:
        return str(price_control_label())
    item = approvables().get(value)
    return str(item.verbose_name) if item else value


class UserChoiceLabelMixin:
    """People are told apart by their department: 王芳（华东销售组）."""

    def label_from_instance(self, obj):
        return f"{obj}（{obj.department}）" if obj.department_id else str(obj)


class UserChoiceField(UserChoiceLabelMixin, forms.ModelChoiceField):
    pass


class UserMultipleChoiceField(UserChoiceLabelMixin, forms.ModelMultipleChoiceField):
    pass


#
# Deciding
#


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", gettext_lazy("同意")),
            ("reject", gettext_lazy("驳回")),
            ("return", gettext_lazy("退回修改")),
        ],
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(
        label=gettext_lazy("审批意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=gettext_lazy("驳回或退回修改时必须填写。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("reject", "return") and not (data.get("comment") or "").strip():
            self.add_error("comment", _("驳回或退回时请填写审批意见。"))
        return data


#
# Flows and their steps
#


class CustomerLevelsField(forms.CharField):
    """Typed codes, comma separated (until an app registers the choices: customer levels, document kinds)."""

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [code.strip() for code in text.replace("，", ",").split(",") if code.strip()]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


class ApprovalFlowForm(ScopedFormMixin, forms.ModelForm):
    document_type = forms.ChoiceField(label=gettext_lazy("单据类型"), choices=())
    customer_levels = CustomerLevelsField(
        label=gettext_lazy("客户级别"),
        required=False,
        help_text=gettext_lazy("填写级别代码，多个用逗号分隔；留空表示不限。"),
    )
    kinds = CustomerLevelsField(
        label=gettext_lazy("单据种类"),
        required=False,
        help_text=gettext_lazy("填写种类代码（如合同类型 sales），多个用逗号分隔；留空表示不限。"),
    )

    class Meta:
        model = ApprovalFlow
        fields = [
            "name",
            "document_type",
            "priority",
            "is_active",
            "min_amount",
            "min_discount_percent",
            "below_min_price",
            "customer_levels",
            "kinds",
            "max_margin_percent",
            "nonstandard_terms",
            "departments",
            "description",
        ]
        widgets = {"departments": forms.SelectMultiple(attrs={"size": 6})}
        help_texts = {
            "min_amount": gettext_lazy("价税合计（人民币）；留空表示不限。"),
            "min_discount_percent": gettext_lazy("明细中最大的折扣率；留空表示不限。"),
            "departments": gettext_lazy("提交人属于所选部门或其下级部门时适用；不选表示不限。"),
            "max_margin_percent": gettext_lazy("预计毛利占价税合计的百分比；毛利未知的单据不适用；留空表示不限。"),
            "nonstandard_terms": gettext_lazy("仅适用于付款条件非标准的单据（如合同的长账期、低首付）。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].choices = [("", _("请选择")), *document_type_choices()]
        for condition in ("customer_levels", "kinds"):
            choices = condition_choices(condition)
            if choices is not None:
                field = forms.MultipleChoiceField(
                    label=self.fields[condition].label,
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                    help_text=_("不选表示不限。"),
                )
                self.fields[condition] = field


class ApprovalStepForm(ScopedFormMixin, forms.Form):
    """One step of a flow (a plain form: the service matches kept steps by ``pk`` and may reorder them)."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(label=gettext_lazy("顺序"), min_value=1, max_value=999)
    name = forms.CharField(label=gettext_lazy("步骤名称"), max_length=50)
    # Initial values matter: a blank extra row left as shown is "unchanged" and not saved.
    kind = forms.ChoiceField(
        label=gettext_lazy("审批人类型"), choices=ApproverKind.choices, initial=ApproverKind.MANAGER
    )
    role = forms.ModelChoiceField(
        label=gettext_lazy("角色"), queryset=role_model().objects.filter(is_active=True), required=False
    )
    same_department = forms.BooleanField(label=gettext_lazy("仅限本部门及上级部门"), required=False, initial=True)
    users = UserMultipleChoiceField(
        label=gettext_lazy("指定人员"),
        queryset=user_model().objects.filter(is_active=True).select_related("department"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    levels_up = forms.IntegerField(
        label=gettext_lazy("上级层数"),
        min_value=1,
        max_value=5,
        initial=1,
        help_text=gettext_lazy("1 = 直接上级，2 = 上级的上级。"),
    )
    mode = forms.ChoiceField(label=gettext_lazy("多人审批方式"), choices=ApprovalMode.choices, initial=ApprovalMode.ANY)

    def clean(self):
        data = super().clean()
        for field, message in step_errors(
            kind=data.get("kind"), role=data.get("role"), users=data.get("users")
        ).items():
            self.add_error(field, message)
        return data


class BaseApprovalStepFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        steps = [form.cleaned_data for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        if not steps:
            raise forms.ValidationError(_("审批流程至少需要一个步骤。"))
        orders = [step["order"] for step in steps]
        if len(set(orders)) != len(orders):
            raise forms.ValidationError(_("同一流程中步骤顺序不能重复。"))

    def steps(self) -> list[dict]:
        """The kept steps, in order, as the service takes them."""
        kept = [form.cleaned_data for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        steps = []
        for data in sorted(kept, key=lambda item: item["order"]):
            step = {key: value for key, value in data.items() if key != "DELETE"}
            if not step.get("pk"):
                step.pop("pk", None)
            steps.append(step)
        return steps


ApprovalStepFormSet = forms.formset_factory(
    ApprovalStepForm, formset=BaseApprovalStepFormSet, extra=2, can_delete=True, max_num=20, validate_max=True
)


#
# Delegations
#


class ApprovalDelegationForm(ScopedFormMixin, forms.ModelForm):
    delegate = UserChoiceField(label=gettext_lazy("代理审批人"), queryset=user_model().objects.none())

    class Meta:
        model = ApprovalDelegation
        fields = ["delegate", "starts_on", "ends_on", "is_active", "note"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        owner = self.instance.user if self.instance.pk else user
        # Anyone active may stand in for an approver: the choice shows names, not the colleague's records,
        # so it is not narrowed to the users the actor may manage.
        self.fields["delegate"].queryset = (
            user_model().objects.unscoped().filter(is_active=True).exclude(pk=owner.pk).select_related("department")
        )


#
# Filters
#


class ApprovalFlowFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("搜索"), field_name="name", lookup_expr="icontains")
    document_type = django_filters.ChoiceFilter(label=gettext_lazy("单据类型"), choices=document_type_choices)
    is_active = ActiveFilter()

    class Meta:
        model = ApprovalFlow
        fields = ["q", "document_type", "is_active"]


class ApprovalDelegationFilterSet(ScopedFilterSet):
    is_active = ActiveFilter()

    class Meta:
        model = ApprovalDelegation
        fields = ["is_active"]


#
# Tables
#


class ApprovalFlowTable(Table):
    columns = (
        Column("name", gettext_lazy("流程名称"), order_by="name", link=True),
        Column("document_type", gettext_lazy("单据类型"), order_by="document_type"),
        Column("priority", gettext_lazy("优先级"), order_by="priority"),
        Column("conditions", gettext_lazy("适用条件")),
        Column("is_active", gettext_lazy("启用"), order_by="is_active"),
        Column("updated_at", gettext_lazy("更新时间"), order_by="updated_at"),
    )
    default_order = "document_type"

    def cell(self, obj, column):
        if column.accessor == "document_type":
            return document_type_label(obj.document_type)
        if column.accessor == "conditions":
            return describe_conditions(obj)
        return super().cell(obj, column)


def describe_conditions(flow: ApprovalFlow) -> str:
    parts = []
    if flow.min_amount is not None:
        parts.append(_("金额 ≥ %(amount)s") % {"amount": flow.min_amount})
    if flow.min_discount_percent is not None:
        parts.append(_("折扣率 ≥ %(percent)s%%") % {"percent": flow.min_discount_percent})
    if flow.below_min_price:
        parts.append(_("低于最低售价"))
    if flow.customer_levels:
        parts.append(_("客户级别：%(levels)s") % {"levels": "、".join(flow.customer_levels)})
    if flow.kinds:
        labels = dict(condition_choices("kinds") or ())
        parts.append(_("种类：%(kinds)s") % {"kinds": "、".join(str(labels.get(kind, kind)) for kind in flow.kinds)})
    if flow.max_margin_percent is not None:
        parts.append(_("毛利率 ≤ %(percent)s%%") % {"percent": flow.max_margin_percent})
    if flow.nonstandard_terms:
        parts.append(_("非标准付款条件"))
    if flow.pk:
        names = [department.name for department in flow.departments.all()]
        if names:
            parts.append(_("部门：%(departments)s") % {"departments": "、".join(names)})
    return "；".join(parts) or _("全部单据")


class ApprovalDelegationTable(Table):
    columns = (
        Column("user", gettext_lazy("委托人"), order_by="user__name", link=True),
        Column("delegate", gettext_lazy("代理审批人"), order_by="delegate__name"),
        Column("starts_on", gettext_lazy("开始日期"), order_by="starts_on"),
        Column("ends_on", gettext_lazy("结束日期"), order_by="ends_on"),
        Column("is_active", gettext_lazy("启用"), order_by="is_active"),
        Column("note", gettext_lazy("说明")),
    )
    default_order = "-starts_on"
