"""Pages of partners' suppliers feature: the 供应商档案 tab (profile, ratings, qualifications), their
forms, the certificate download, and the admin pages of the classification lists (客户级别, 行业, 标签).

The 附件 tab is core's (``core.attachments_views``), registered for partners in ``suppliers.register()``.
"""

from __future__ import annotations

import os

import django_filters
from django import forms
from django.db.models import Q
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from keshang.core import attachments
from keshang.core.filters import ScopedFilterSet
from keshang.core.forms import ScopedFormMixin
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.tables import Column, Table
from keshang.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ObjectMixin,
    ScopedViewMixin,
)

from . import suppliers
from .models import Industry, Partner, PartnerLevel, Qualification, SupplierProfile, Tag
from .views.partners import PartDeleteView, PartEditView, PartnerDetailView

__all__ = [
    "SupplierProfileForm",
    "QualificationForm",
    "PartnerLevelForm",
    "IndustryForm",
    "TagForm",
    "PartnerLevelFilterSet",
    "IndustryFilterSet",
    "TagFilterSet",
    "urlpatterns",
]

#
# Forms: they validate input only; the views hand cleaned_data to the services
#

RATING_OPTIONS = [("", _("未评分"))] + [(score, "★" * score) for score in range(1, 6)]


class SupplierProfileForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = SupplierProfile
        fields = ["main_products", *suppliers.RATING_FIELDS]
        widgets = {"main_products": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in suppliers.RATING_FIELDS:
            label = SupplierProfile._meta.get_field(name).verbose_name
            message = _("%(field)s须在 1 到 5 之间。") % {"field": label}
            self.fields[name] = forms.IntegerField(
                label=label,
                required=False,
                min_value=1,
                max_value=5,
                widget=forms.Select(choices=RATING_OPTIONS, attrs={"class": "form-select"}),
                error_messages={"min_value": message, "max_value": message, "invalid": message},
            )


class QualificationForm(ScopedFormMixin, forms.ModelForm):
    file = forms.FileField(
        label=_("证书文件"), required=False, help_text=_("PDF、图片或 Office 文件；保存后替换原文件。")
    )
    remove_file = forms.BooleanField(label=_("删除现有证书文件"), required=False)

    class Meta:
        model = Qualification
        fields = ["name", "number", "issued_on", "expires_on"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.file:
            del self.fields["remove_file"]

    def clean(self):
        cleaned = super().clean()
        issued_on, expires_on = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued_on and expires_on and expires_on < issued_on:
            self.add_error("expires_on", _("到期日期不能早于发证日期。"))
        return cleaned

    def qualification_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self._meta.fields}


class PartnerLevelForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = PartnerLevel
        fields = ["code", "name", "order"]


class IndustryForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Industry
        fields = ["name", "order"]


class TagForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name"]


#
# Lists: filters and columns (the same columns feed the export)
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


class PartnerLevelTable(Table):
    columns = (
        Column("code", _("级别代码"), order_by="code", link=True),
        Column("name", _("级别名称"), order_by="name"),
        Column("order", _("排序"), order_by="order"),
    )
    default_order = "order"


class IndustryTable(Table):
    columns = (Column("name", _("行业"), order_by="name", link=True), Column("order", _("排序"), order_by="order"))
    default_order = "order"


class TagTable(Table):
    columns = (Column("name", _("标签"), order_by="name", link=True),)
    default_order = "name"


#
# The 供应商档案 tab: profile, ratings and qualifications
#


class PartnerSupplierView(PartnerDetailView):
    template_name = "partners/supplier_profile.html"

    def extra(self, obj):
        context = super().extra(obj)
        user = self.request.user
        profile = suppliers.get_supplier_profile(user=user, partner=obj)
        today = timezone.localdate()
        qualifications = []
        for qualification in suppliers.list_qualifications(user=user).filter(partner=obj):
            days_left = (qualification.expires_on - today).days if qualification.expires_on else None
            qualifications.append((qualification, days_left))
        can_change = obj.is_supplier and self.can(Action.CHANGE, obj)
        ratings = []
        for field in suppliers.RATING_FIELDS:
            score = getattr(profile, field) if profile else None
            ratings.append((SupplierProfile._meta.get_field(field).verbose_name, score, "★" * (score or 0)))
        context.update(
            tab="supplier",
            profile=profile,
            ratings=ratings,
            qualifications=qualifications,
            reminder_days=max(suppliers.EXPIRY_THRESHOLDS),
            can_change_supplier=can_change,
            profile_edit_url=reverse("partners:supplierprofile_edit", args=[obj.pk]) if can_change else None,
            qualification_add_url=reverse("partners:qualification_add", args=[obj.pk]) if can_change else None,
        )
        return context


class SupplierProfileEditView(ObjectEditView):
    """Edits the profile of the partner in the URL; changing it is changing the partner."""

    model = Partner
    form_class = SupplierProfileForm
    template_name = "partners/supplier_profile_edit.html"

    def get_action(self) -> str:
        return Action.CHANGE

    def get_form(self, data=None, files=None, instance=None):
        self.partner = instance
        profile = suppliers.get_supplier_profile(user=self.request.user, partner=instance, action=Action.CHANGE)
        return SupplierProfileForm(data, files, instance=profile, user=self.request.user)

    def save_form(self, form):
        return suppliers.save_supplier_profile(actor=self.request.user, partner=self.partner, data=form.cleaned_data)

    def success_url(self, obj) -> str:
        return reverse("partners:partner_supplier", args=[obj.partner_id])

    def render(self, form, obj, status=200):
        response = super().render(form, obj, status)
        response.context_data["cancel_url"] = reverse("partners:partner_supplier", args=[obj.pk])
        return response


class QualificationEditView(PartEditView):
    model = Qualification
    form_class = QualificationForm
    tab_key = "supplier"
    template_name = "partners/supplier_qualification_edit.html"

    def save_form(self, form):
        return suppliers.save_qualification(
            actor=self.request.user,
            partner=self.parent,
            qualification=form.instance if form.instance.pk else None,
            data=form.qualification_data(),
            upload=form.cleaned_data.get("file"),
            remove_file=form.cleaned_data.get("remove_file", False),
        )


class QualificationDeleteView(PartDeleteView):
    model = Qualification
    tab_key = "supplier"
    delete_service = suppliers.delete_qualification
    instance_argument = "qualification"


class QualificationFileView(ScopedViewMixin, ObjectMixin, View):
    """The certificate file, streamed as a download to whoever may view the partner."""

    model = Qualification

    def get(self, request, *args, **kwargs):
        qualification = self.get_object()
        if not qualification.file:
            raise Http404(gettext("此资质没有证书文件。"))
        extension = os.path.splitext(qualification.file.name)[1].lower()
        return attachments.file_response(
            qualification.file,
            name=f"{qualification.name}{extension}",
            mime_type=attachments.mime_type_for(qualification.file.name),
        )


#
# Classification lists (客户级别, 行业, 标签): read by everyone, maintained by administrators
#


class ClassificationDetailView(ObjectDetailView):
    template_name = "partners/classification_detail.html"
    partner_filter = ""  # the partner list's filter for this classification

    def extra(self, obj):
        context = super().extra(obj)
        context["partner_count"] = suppliers.count_partners_using(obj)
        if has_action(self.request.user, "partners.partner", Action.VIEW):
            context["partners_url"] = f"{reverse('partners:partner_list')}?{self.partner_filter}={obj.pk}"
        return context


class ClassificationEditView(ObjectEditView):
    def save_form(self, form):
        instance = form.instance if form.instance.pk else self.model()
        return suppliers.save_classification(actor=self.request.user, instance=instance, data=form.cleaned_data)


class ClassificationDeleteView(ObjectDeleteView):
    """Shows how many partners use it; the service refuses while any do."""

    template_name = "partners/classification_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.context_data["partner_count"] = suppliers.count_partners_using(response.context_data["object"])
        return response

    def delete_object(self, obj):
        suppliers.delete_classification(actor=self.request.user, instance=obj)


class PartnerLevelListView(ObjectListView):
    model = PartnerLevel
    selector = suppliers.list_partner_levels
    table = PartnerLevelTable
    filterset = PartnerLevelFilterSet
    export_basename = "partner-levels"


class PartnerLevelDetailView(ClassificationDetailView):
    model = PartnerLevel
    selector = suppliers.list_partner_levels
    detail_fields = ("code", "name", "order")
    partner_filter = "level"


class PartnerLevelEditView(ClassificationEditView):
    model = PartnerLevel
    form_class = PartnerLevelForm


class PartnerLevelDeleteView(ClassificationDeleteView):
    model = PartnerLevel


class PartnerLevelHistoryView(ObjectHistoryView):
    model = PartnerLevel


class IndustryListView(ObjectListView):
    model = Industry
    selector = suppliers.list_industries
    table = IndustryTable
    filterset = IndustryFilterSet
    export_basename = "industries"


class IndustryDetailView(ClassificationDetailView):
    model = Industry
    selector = suppliers.list_industries
    detail_fields = ("name", "order")
    partner_filter = "industry"


class IndustryEditView(ClassificationEditView):
    model = Industry
    form_class = IndustryForm


class IndustryDeleteView(ClassificationDeleteView):
    model = Industry


class IndustryHistoryView(ObjectHistoryView):
    model = Industry


class TagListView(ObjectListView):
    model = Tag
    selector = suppliers.list_tags
    table = TagTable
    filterset = TagFilterSet
    export_basename = "tags"


class TagDetailView(ClassificationDetailView):
    model = Tag
    selector = suppliers.list_tags
    detail_fields = ("name",)
    partner_filter = "tag"


class TagEditView(ClassificationEditView):
    model = Tag
    form_class = TagForm


class TagDeleteView(ClassificationDeleteView):
    model = Tag


class TagHistoryView(ObjectHistoryView):
    model = Tag


def _classification_urls(prefix: str, name: str, views: dict) -> list:
    return [
        path(f"{prefix}/", views["list"].as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", views["edit"].as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", views["detail"].as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", views["edit"].as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", views["delete"].as_view(), name=f"{name}_delete"),
        path(f"{prefix}/<int:pk>/history/", views["history"].as_view(), name=f"{name}_history"),
    ]


urlpatterns = [
    path("<int:pk>/supplier/", PartnerSupplierView.as_view(), name="partner_supplier"),
    path("<int:pk>/supplier/edit/", SupplierProfileEditView.as_view(), name="supplierprofile_edit"),
    path("<int:partner_pk>/qualifications/add/", QualificationEditView.as_view(), name="qualification_add"),
    path("qualifications/<int:pk>/edit/", QualificationEditView.as_view(), name="qualification_edit"),
    path("qualifications/<int:pk>/delete/", QualificationDeleteView.as_view(), name="qualification_delete"),
    path("qualifications/<int:pk>/file/", QualificationFileView.as_view(), name="qualification_file"),
    *_classification_urls(
        "levels",
        "partnerlevel",
        {
            "list": PartnerLevelListView,
            "edit": PartnerLevelEditView,
            "detail": PartnerLevelDetailView,
            "delete": PartnerLevelDeleteView,
            "history": PartnerLevelHistoryView,
        },
    ),
    *_classification_urls(
        "industries",
        "industry",
        {
            "list": IndustryListView,
            "edit": IndustryEditView,
            "detail": IndustryDetailView,
            "delete": IndustryDeleteView,
            "history": IndustryHistoryView,
        },
    ),
    *_classification_urls(
        "tags",
        "tag",
        {
            "list": TagListView,
            "edit": TagEditView,
            "detail": TagDetailView,
            "delete": TagDeleteView,
            "history": TagHistoryView,
        },
    ),
]
