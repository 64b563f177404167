import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keshang.core.filters import DateFromFilter, DateToFilter, ScopedFilterSet

from .models import Quotation, QuotationStatus, SalesOrder, SalesOrderStatus

__all__ = ["QuotationFilterSet", "SalesOrderFilterSet"]


class DocumentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    owner = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.all(), label=_("负责人"))
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
