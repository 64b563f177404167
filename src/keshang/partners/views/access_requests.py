"""Asking for a partner someone else owns: the 申请共享 / 申请转给我 buttons the partner form shows when it refuses a
copy of someone else's partner. They post the form itself (``formaction``), so the request names the partner
exactly as the refused save did."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.exceptions import ApplicationError
from keshang.core.permissions import Action
from keshang.core.views import ScopedViewMixin, redirect_after_write

from .. import services
from ..forms import AccessRequestForm
from ..models import Partner

__all__ = ["PartnerAccessRequestView", "urlpatterns"]


class PartnerAccessRequestView(ScopedViewMixin, View):
    """POST: ask the owners of the partners the form's details match to share them or hand them over."""

    model = Partner
    action = Action.ADD

    def post(self, request):
        form = AccessRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                requested = services.request_partner_access(
                    actor=request.user,
                    kind=data["access"],
                    name=data["name"],
                    credit_code=data["credit_code"],
                    phone=data["phone"],
                    country=data["country"] or "CN",
                    note=data["access_note"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                owners = "、".join(dict.fromkeys(item.owner_name for item in requested))
                messages.success(
                    request, _("已向%(owners)s发出申请，对方同意后您就能看到该客商。") % {"owners": owners}
                )
        else:
            messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect_after_write(request, reverse("partners:partner_list"))


urlpatterns = [path("request-access/", PartnerAccessRequestView.as_view(), name="partner_request_access")]
