"""FilterSets of opportunities and stages, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keshang.core.filters import ActiveFilter, DateFromFilter, DateToFilter, ScopedFilterSet
from keshang.org.models import Department, User
from keshang.partners.models import Partner
from keshang.partners.selectors import normalise_query

from .models import Opportunity, OpportunityStage, OpportunityStatus

__all__ = ["OpportunityFilterSet", "BoardFilterSet", "OpportunityStageFilterSet"]


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
