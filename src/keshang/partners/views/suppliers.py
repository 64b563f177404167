"""The 供应商档案 tab of a partner (profile, ratings, qualifications), its forms' pages and the certificate download.

The 附件 tab is core's (``core.attachments_views``), registered for partners in ``apps.py``.
"""

from __future__ import annotations

import os

from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views import View

from keshang.core import attachments
from keshang.core.permissions import Action
from keshang.core.views import ObjectEditView, ObjectMixin, ScopedViewMixin

from .. import selectors, services
from ..forms import QualificationForm, SupplierProfileForm
from ..models import Partner, Qualification, SupplierProfile
from .partners import PartDeleteView, PartEditView, PartnerDetailView

__all__ = [
    "PartnerSupplierView",
    "SupplierProfileEditView",
    "QualificationEditView",
    "QualificationDeleteView",
    "QualificationFileView",
    "urlpatterns",
]


class PartnerSupplierView(PartnerDetailView):
    template_name = "partners/supplier_profile.html"

    def extra(self, obj):
        context = super().extra(obj)
        user = self.request.user
        profile = selectors.get_supplier_profile(user=user, partner=obj)
        today = timezone.localdate()
        qualifications = []
        for qualification in selectors.list_qualifications(user=user).filter(partner=obj):
            days_left = (qualification.expires_on - today).days if qualification.expires_on else None
            qualifications.append((qualification, days_left))
        can_change = obj.is_supplier and self.can(Action.CHANGE, obj)
        ratings = []
        for field in services.RATING_FIELDS:
            score = getattr(profile, field) if profile else None
            ratings.append((SupplierProfile._meta.get_field(field).verbose_name, score, "★" * (score or 0)))
        context.update(
            tab="supplier",
            profile=profile,
            ratings=ratings,
            qualifications=qualifications,
            reminder_days=max(services.EXPIRY_THRESHOLDS),
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
        profile = selectors.get_supplier_profile(user=self.request.user, partner=instance, action=Action.CHANGE)
        return SupplierProfileForm(data, files, instance=profile, user=self.request.user)

    def save_form(self, form):
        return services.save_supplier_profile(actor=self.request.user, partner=self.partner, data=form.cleaned_data)

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
        return services.save_qualification(
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
    delete_service = services.delete_qualification
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


urlpatterns = [
    path("<int:pk>/supplier/", PartnerSupplierView.as_view(), name="partner_supplier"),
    path("<int:pk>/supplier/edit/", SupplierProfileEditView.as_view(), name="supplierprofile_edit"),
    path("<int:partner_pk>/qualifications/add/", QualificationEditView.as_view(), name="qualification_add"),
    path("qualifications/<int:pk>/edit/", QualificationEditView.as_view(), name="qualification_edit"),
    path("qualifications/<int:pk>/delete/", QualificationDeleteView.as_view(), name="qualification_delete"),
    path("qualifications/<int:pk>/file/", QualificationFileView.as_view(), name="qualification_file"),
]
