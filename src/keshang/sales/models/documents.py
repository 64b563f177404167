"""What quotations and sales orders share: a document between one of our companies (the seller) and a customer
(``core.documents.PricedDocument`` owned through ``org.OwnedModel``), whose lines are product lines
(``catalog.lines.ProductLine``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from keshang.core.documents.models import PricedDocument
from keshang.org.models import OwnedModel

__all__ = ["SalesDocument"]


class SalesDocument(PricedDocument, OwnedModel):
    seller = models.ForeignKey("org.Company", verbose_name=_("销售方"), on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partners.Partner", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "partners.Contact", verbose_name=_("联系人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The customer's owner reads the documents others (a collaborator, a colleague) made on their customer.
    scope_viewer_fields = ("partner__owner",)

    class Meta:
        abstract = True
