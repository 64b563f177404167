"""The contract list's filters: kind, state, party, owner, dates and amount; the search finds a number, a title
or a party."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keshang.core.filters import DateFromFilter, DateToFilter, ScopedFilterSet
from keshang.org.models import User

from .models import Contract, ContractCategory, ContractKind, ContractStatus

__all__ = ["ContractFilterSet", "ContractCategoryFilterSet"]


class ContractFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=ContractKind.choices, label=_("合同类型"))
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices, label=_("状态"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("负责人"))
    partner_id = django_filters.NumberFilter(field_name="partner_id", label=_("对方编号"))
    min_amount = django_filters.NumberFilter(field_name="gross_amount", lookup_expr="gte", label=_("金额不低于"))
    max_amount = django_filters.NumberFilter(field_name="gross_amount", lookup_expr="lte", label=_("金额不高于"))
    date_from = DateFromFilter(field_name="sign_date", lookup_expr="gte")
    date_to = DateToFilter(field_name="sign_date", lookup_expr="lte")
    ends_before = django_filters.DateFilter(field_name="end_date", lookup_expr="lte", label=_("到期不晚于"))

    class Meta:
        model = Contract
        fields = [
            "q",
            "kind",
            "status",
            "owner",
            "partner_id",
            "min_amount",
            "max_amount",
            "date_from",
            "date_to",
            "ends_before",
        ]

    def search(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(number__icontains=text) | Q(title__icontains=text) | Q(partner__name__icontains=text))


class ContractCategoryFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), field_name="name", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(choices=ContractKind.choices, label=_("适用合同类型"))

    class Meta:
        model = ContractCategory
        fields = ["q", "kind"]
