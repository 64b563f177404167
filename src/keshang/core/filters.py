"""The base FilterSet: foreign-key choices narrowed to the user's scope, Bootstrap widgets."""

from collections import Counter

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Q, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .forms import restrict_choices
from .masking import sees_clear_wherever_visible
from .models import AuditAction, AuditEntry, Currency, ExchangeRate
from .permissions import get_resource, resource_for_model
from .scope import owners_within_scope

__all__ = [
    "ScopedFilterSet",
    "ActiveFilter",
    "DateFromFilter",
    "DateToFilter",
    "AuditEntryFilterSet",
    "audited_models",
    "CurrencyFilterSet",
    "ExchangeRateFilterSet",
]

User = get_user_model()


class ActiveFilter(django_filters.BooleanFilter):
    """启用: all / yes / no, with "all" as the empty default rather than Django's "unknown"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("启用"))
        kwargs.setdefault("widget", forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]))
        super().__init__(*args, **kwargs)


class DateFromFilter(django_filters.DateFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("开始日期"))
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(*args, **kwargs)


class DateToFilter(DateFromFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("结束日期"))
        super().__init__(*args, **kwargs)


class ScopedFilterSet(django_filters.FilterSet):
    """Choices narrowed to the user's scope. A 负责人 filter (a user choice on the model's owner field, or named
    ``owner``) offers the users who can own the records the user sees (``owners_within_scope``), active ones
    unless ``owners_include_inactive``."""

    owners_include_inactive = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Who sees a sensitive field masked may not filter by it (issue 12, finding 3): the filter is not theirs.
        sensitive = set(getattr(self._meta.model, "sensitive_fields", ()))
        user = getattr(self.request, "user", None)
        if sensitive and not sees_clear_wherever_visible(user, self._meta.model):
            for name in [name for name, item in self.filters.items() if item.field_name.split("__")[0] in sensitive]:
                del self.filters[name]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            user = getattr(self.request, "user", None)
            if user is not None:
                restrict_choices(form, user)
                self._offer_owners(form, user)
            for field in form.fields.values():
                widget = field.widget
                if isinstance(widget, forms.Select | forms.NullBooleanSelect):
                    widget.attrs.setdefault("class", "form-select form-select-sm")
                else:
                    widget.attrs.setdefault("class", "form-control form-control-sm")
        return self._form

    def _offer_owners(self, form, user) -> None:
        model = self._meta.model
        owner_field = getattr(model, "scope_owner_field", None)
        for name, declared in self.filters.items():
            field = form.fields.get(name)
            if not isinstance(field, forms.ModelChoiceField) or field.queryset.model is not User:
                continue
            if declared.field_name != owner_field and name != "owner":
                continue
            users = User._default_manager.all()
            if not self.owners_include_inactive:
                users = users.filter(is_active=True)
            field.queryset = owners_within_scope(users, viewer=user, resource=resource_for_model(model))


#
# Audit log
#

# Core's own business records that no resource governs: approvals asked for and given, files attached, records
# shared. Every other audited record is a resource or a part of one.
CORE_RECORDS = ("core.approvalrequest", "core.approvaltask", "core.attachment", "core.collaboration")


def audited_models() -> list:
    """The kinds of record the audit log's 对象类型 filter offers, in app order: those a registered resource
    governs (a part follows its record's, see ``scope_parent``) and core's business records. Internal tables
    (sessions, login lockouts, search grams, number sequences, notifications) are never offered, nor the
    audit log itself, which no entry is about."""
    return [
        model
        for model in apps.get_models()
        if model is not AuditEntry
        # Other packages' tables are internal even when a right governs them (login throttles: axes).
        and model._meta.app_config.name.startswith("keshang.")
        and (model._meta.label_lower in CORE_RECORDS or get_resource(resource_for_model(model)) is not None)
    ]


def audited_content_types(request=None):
    """The content types of :func:`audited_models`, in that order."""
    models = audited_models()
    by_model = ContentType.objects.get_for_models(*models)
    order = [by_model[model].pk for model in models]
    return ContentType.objects.filter(pk__in=order).order_by(
        Case(*[When(pk=pk, then=index) for index, pk in enumerate(order)])
    )


class ModelNameChoiceField(forms.ModelChoiceField):
    """Content types by their model's own (Chinese) name, not Django's "app | model". Where two kinds of record
    share a name (our companies' and partners' 银行账户), each says whose it is: "银行账户（我方公司）"."""

    def label_from_instance(self, obj):
        model = obj.model_class()
        if model is None:
            return obj.model
        name = str(model._meta.verbose_name)
        if name not in self.shared_names:
            return name
        parent = getattr(model, "scope_parent", None)
        owner = model._meta.get_field(parent).related_model._meta if parent else model._meta.app_config
        return _("%(name)s（%(owner)s）") % {"name": name, "owner": owner.verbose_name}

    @cached_property
    def shared_names(self) -> set[str]:
        names = Counter(str(model._meta.verbose_name) for model in audited_models())
        return {name for name, count in names.items() if count > 1}


class ModelNameFilter(django_filters.ModelChoiceFilter):
    field_class = ModelNameChoiceField


class AuditEntryFilterSet(ScopedFilterSet):
    # The trail outlives accounts: whose actions an auditor looks for may have left.
    owners_include_inactive = True

    user = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("用户"))
    user_name = django_filters.CharFilter(lookup_expr="icontains", label=_("用户名"))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("操作"))
    content_type = ModelNameFilter(queryset=audited_content_types, label=_("对象类型"))
    object_id = django_filters.CharFilter(label=_("对象编号"))
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    date_from = DateFromFilter(field_name="created_at", lookup_expr="date__gte")
    date_to = DateToFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = AuditEntry
        fields = ["user", "user_name", "action", "content_type", "object_id", "q", "date_from", "date_to"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(object_repr__icontains=value) | Q(message__icontains=value))


class CurrencyFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    is_active = ActiveFilter()

    class Meta:
        model = Currency
        fields = ["q", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class ExchangeRateFilterSet(ScopedFilterSet):
    currency = django_filters.ModelChoiceFilter(queryset=Currency.objects.all(), label=_("币种"))
    date_from = DateFromFilter(field_name="date", lookup_expr="gte")
    date_to = DateToFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ExchangeRate
        fields = ["currency", "date_from", "date_to"]
