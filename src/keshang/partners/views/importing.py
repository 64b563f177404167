"""The partner import: the generic import wizard (``core.importing_views``) for partners, at a URL the menu can
name without arguments."""

from django.urls import path

from keshang.core.importing_views import ImportUploadView

from ..services import PartnerImporter

__all__ = ["PartnerImportView", "urlpatterns"]


class PartnerImportView(ImportUploadView):
    kind = PartnerImporter.kind


urlpatterns = [path("import/", PartnerImportView.as_view(), name="partner_import")]
