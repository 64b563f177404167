"""FilterSets shared by the partner pages and the API: partners, contacts, the pool, handovers, classifications."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keshang.core.filters import DateFromFilter, DateToFilter, ScopedFilterSet
from keshang.org.models import Department, User

from .models import (
    Contact,
    Handover,
    HandoverKind,
    HandoverReason,
    Industry,
    Partner,
    PartnerLevel,
    PartnerSource,
    PartnerStatus,
    Tag,
)
from .selectors import filter_contacts_by_search, filter_partners_by_search, normalise_query

__all__ = [
    "ROLE_CHOICES",
    "PartnerFilterSet",
    "ContactFilterSet",
    "PoolFilterSet",
    "HandoverFilterSet",
    "PartnerLevelFilterSet",
    "IndustryFilterSet",
    "TagFilterSet",
]

ROLE_CHOICES = [("customer", _("客户")), ("supplier", _("供应商"))]


class PartnerFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    role = django_filters.ChoiceFilter(label=_("角色"), choices=ROLE_CHOICES, method="filter_role")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PartnerStatus.choices)
    level = django_filters.ModelChoiceFilter(label=_("级别"), queryset=PartnerLevel.objects.all())
    industry = django_filters.ModelChoiceFilter(label=_("行业"), queryset=Industry.objects.all())
    source = django_filters.ChoiceFilter(label=_("来源"), choices=PartnerSource.choices)
    tag = django_filters.ModelChoiceFilter(label=_("标签"), field_name="tags", queryset=Tag.objects.all())
    owner = django_filters.ModelChoiceFilter(label=_("负责人"), queryset=User.objects.all())
    department = django_filters.ModelChoiceFilter(label=_("所属部门"), queryset=Department.objects.all())
    region = django_filters.CharFilter(label=_("地区编码"), method="filter_region")
    followup_from = DateFromFilter(field_name="last_followup_at", lookup_expr="date__gte", label=_("跟进开始"))
    followup_to = DateToFilter(field_name="last_followup_at", lookup_expr="date__lte", label=_("跟进结束"))

    class Meta:
        model = Partner
        fields = ["q", "role", "status", "level", "industry", "source", "tag", "owner", "department", "region"]

    def search(self, queryset, name, value):
        return filter_partners_by_search(queryset, user=self.request.user, typed=value)

    def filter_role(self, queryset, name, value):
        return queryset.filter(is_customer=True) if value == "customer" else queryset.filter(is_supplier=True)

    def filter_region(self, queryset, name, value):
        """A province or city code selects everything below it (codes are prefixes of their children's)."""
        return queryset.filter(region__code__startswith=value.strip())


class ContactFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    partner_id = django_filters.NumberFilter(field_name="partner_id", label=_("客商编号"))

    class Meta:
        model = Contact
        fields = ["q", "partner_id", "decision_role", "is_primary"]

    def search(self, queryset, name, value):
        return filter_contacts_by_search(queryset, user=self.request.user, typed=value)


#
# The pool and handovers
#


class PoolFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    role = django_filters.ChoiceFilter(label=_("角色"), choices=ROLE_CHOICES, method="filter_role")
    industry = django_filters.ModelChoiceFilter(label=_("行业"), queryset=Industry.objects.all())
    level = django_filters.ModelChoiceFilter(label=_("级别"), queryset=PartnerLevel.objects.all())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PartnerStatus.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=PartnerSource.choices)
    region = django_filters.CharFilter(label=_("地区编码"), method="filter_region")

    class Meta:
        model = Partner
        fields = ["q", "role", "industry", "level", "status", "source", "region"]

    def search(self, queryset, name, value):
        return filter_partners_by_search(queryset, user=self.request.user, typed=value)

    def filter_role(self, queryset, name, value):
        return queryset.filter(is_customer=True) if value == "customer" else queryset.filter(is_supplier=True)

    def filter_region(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.strip())


class HandoverFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("客商"), method="search")
    partner_id = django_filters.NumberFilter(field_name="partner_id", label=_("客商编号"))
    kind = django_filters.ChoiceFilter(label=_("方式"), choices=HandoverKind.choices)
    reason = django_filters.ChoiceFilter(label=_("原因"), choices=HandoverReason.choices)
    # field_name names a user column so the schema types the id; the method matches either side.
    owner = django_filters.ModelChoiceFilter(
        label=_("负责人（原或新）"),
        field_name="to_owner",
        queryset=User.objects.all(),
        method="filter_owner",
    )
    date_from = DateFromFilter(field_name="created_at", lookup_expr="date__gte")
    date_to = DateToFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Handover
        fields = ["q", "partner_id", "kind", "reason", "owner", "date_from", "date_to"]

    def search(self, queryset, name, value):
        query = normalise_query(value)
        return queryset.filter(partner__search_text__contains=query) if query else queryset

    def filter_owner(self, queryset, name, value):
        return queryset.filter(Q(from_owner=value) | Q(to_owner=value))


#
# Classification lists
#


class ClassificationFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    search_fields: tuple[str, ...] = ("name",)

    def search(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition)


class PartnerLevelFilterSet(ClassificationFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = PartnerLevel
        fields = ["q"]


class IndustryFilterSet(ClassificationFilterSet):
    class Meta:
        model = Industry
        fields = ["q"]


class TagFilterSet(ClassificationFilterSet):
    class Meta:
        model = Tag
        fields = ["q"]
