"""FilterSets of opportunities, stages, quotations and orders, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keshang.core.filters import ActiveFilter, DateFromFilter, DateToFilter, ScopedFilterSet
from keshang.org.models import Department, User
from keshang.partners.models import Partner
from keshang.partners.selectors import normalise_query

from .models import (
    Opportunity,
    OpportunityStage,
    OpportunityStatus,
    Quotation,
    QuotationStatus,
    SalesOrder,
    SalesOrderStatus,
)

__all__ = [
    "OpportunityFilterSet",
    "BoardFilterSet",
    "OpportunityStageFilterSet",
    "QuotationFilterSet",
    "SalesOrderFilterSet",
]


class OpportunityFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    stage = django_filters.ModelChoiceFilter(label=_("阶段"), queryset=OpportunityStage.objects.all())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=OpportunityStatus.choices)
    owner = django_filters.ModelChoiceFilter(label=_("负责人"), queryset=User.objects.all())
    department = django_filters.ModelChoiceFilter(label=_("所属部门"), queryset=Department.objects.all())
    partner = django_filters.ModelChoiceFilter(
        label=_("客户"), queryset=Partner.objects.filter(is_customer=True).order_by("name")
    )
    # The partner's 商机 tab links here by id; people pick the customer from the choice above.
    partner_id = django_filters.NumberFilter(field_name="partner_id", label=_("客户编号"))
    close_from = DateFromFilter(field_name="expected_close_date", lookup_expr="gte", label=_("预计成交从"))
    close_to = DateToFilter(field_name="expected_close_date", lookup_expr="lte", label=_("预计成交至"))

    class Meta:
        model = Opportunity
        fields = ["q", "stage", "status", "owner", "department", "partner", "partner_id", "close_from", "close_to"]

    def search(self, queryset, name, value):
        return _search(queryset, value)


class BoardFilterSet(ScopedFilterSet):
    """The board's and the funnel's filters: whose pipeline, and a search."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    owner = django_filters.ModelChoiceFilter(label=_("负责人"), queryset=User.objects.all())
    department = django_filters.ModelChoiceFilter(label=_("所属部门"), queryset=Department.objects.all())

    class Meta:
        model = Opportunity
        fields = ["q", "owner", "department"]

    def search(self, queryset, name, value):
        return _search(queryset, value)


def _search(queryset, value: str):
    """The opportunity's name or source, or its customer as the partner search finds it (pinyin too)."""
    query = normalise_query(value)
    if not query:
        return queryset
    text = value.strip()
    return queryset.filter(
        Q(name__icontains=text) | Q(source__icontains=text) | Q(partner__search_text__contains=query)
    )


class OpportunityStageFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), field_name="name", lookup_expr="icontains")
    is_active = ActiveFilter()

    class Meta:
        model = OpportunityStage
        fields = ["q", "is_active"]


class DocumentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("负责人"))
    partner_id = django_filters.NumberFilter(field_name="partner_id", label=_("客户编号"))
    min_amount = django_filters.NumberFilter(field_name="gross_amount", lookup_expr="gte", label=_("金额不低于"))

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value.strip()) | Q(partner__name__icontains=value.strip()))


class QuotationFilterSet(DocumentFilterSet):
    status = django_filters.ChoiceFilter(choices=QuotationStatus.choices, label=_("状态"))
    date_from = DateFromFilter(field_name="quote_date", lookup_expr="gte")
    date_to = DateToFilter(field_name="quote_date", lookup_expr="lte")

    class Meta:
        model = Quotation
        fields = ["q", "status", "owner", "partner_id", "min_amount", "date_from", "date_to"]


class SalesOrderFilterSet(DocumentFilterSet):
    status = django_filters.ChoiceFilter(choices=SalesOrderStatus.choices, label=_("状态"))
    date_from = DateFromFilter(field_name="order_date", lookup_expr="gte")
    date_to = DateToFilter(field_name="order_date", lookup_expr="lte")

    class Meta:
        model = SalesOrder
        fields = ["q", "status", "owner", "partner_id", "min_amount", "date_from", "date_to"]
