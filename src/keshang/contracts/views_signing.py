"""Signing pages (issue 13): the public page a customer signs on (``/sign/<token>/``, no login), the rep's 签署链接
page, the signed files, 验证签名, the certificates under 系统设置, and the archive (归档, 借阅)."""

from __future__ import annotations

import base64
import binascii
import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_protect

from keshang.core.exceptions import ApplicationError
from keshang.core.middleware import client_ip
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.views import ObjectMixin, ScopedViewMixin, redirect_after_write
from keshang.org.models import Company, User

from . import services
from .models import CompanyCertificate, Contract, ContractArchive, ContractDocument, ContractStatus
from .services.signing import SIGN_IMAGE_MAX_BYTES

__all__ = ["urlpatterns", "public_urlpatterns"]

# Requests per address per minute on the public signing pages (a token is 256 random bits: this keeps the
# server's work bounded, not the token safe).
PUBLIC_RATE = 30
ARCHIVE = "contracts.archive"


def _refusal(error) -> str:
    return getattr(error, "message", None) or "；".join(getattr(error, "messages", [str(error)]))


#
# The public signing page
#


def _rate_limited(request) -> bool:
    limit = int(getattr(settings, "KESHANG_SIGN_RATE", PUBLIC_RATE))
    if not limit:
        return False
    key = f"keshang:sign-rate:{client_ip(request)}:{timezone.now():%Y%m%d%H%M}"
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key) > limit
    except ValueError:
        return False


def _unavailable(request, message: str, status: int = 404):
    """The same page for every link that cannot be used; only the message differs, never a contract's data."""
    return TemplateResponse(request, "contracts/sign_unavailable.html", {"message": message}, status=status)


class PublicSignMixin:
    """No login: the token is the credential. Every answer says nothing of a contract unless the token opens it."""

    def dispatch(self, request, *args, **kwargs):
        if _rate_limited(request):
            response = _unavailable(request, _("请求过于频繁，请稍后再试。"), status=429)
        else:
            response = super().dispatch(request, *args, **kwargs)
        # The contract is no one's business but the link's holder's: no browser or proxy keeps a copy.
        add_never_cache_headers(response)
        return response


class SignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("签署人姓名"), max_length=50)
    code = forms.CharField(label=gettext_lazy("验证码"), max_length=12, required=False)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    image = forms.FileField(label=gettext_lazy("或上传签名/印章图片（PNG/JPEG）"), required=False)
    agree = forms.BooleanField(label=gettext_lazy("我已阅读并同意本合同全部内容，同意以电子签名方式签署"))

    def signature_image(self) -> bytes | None:
        upload = self.cleaned_data.get("image")
        if upload:
            if upload.size > SIGN_IMAGE_MAX_BYTES:
                return b"\0" * (SIGN_IMAGE_MAX_BYTES + 1)  # the service refuses it in words
            return upload.read()
        drawn = self.cleaned_data.get("signature") or ""
        if drawn.startswith("data:image/png;base64,"):
            try:
                return base64.b64decode(drawn.split(",", 1)[1], validate=True)
            except (binascii.Error, ValueError):
                return b"invalid"
        return None


@method_decorator(csrf_protect, name="dispatch")
class SignPageView(PublicSignMixin, View):
    template_name = "contracts/sign_public.html"

    def get(self, request, token):
        try:
            link = services.open_sign_link(token)
        except services.LinkUnavailable as error:
            return _unavailable(request, error.message)
        return self.render(link, token, SignForm())

    def post(self, request, token):
        try:
            link = services.open_sign_link(token)
        except services.LinkUnavailable as error:
            return _unavailable(request, error.message)
        form = SignForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.sign_by_link(
                    token=token,
                    name=form.cleaned_data["name"],
                    agreed=form.cleaned_data["agree"],
                    image=form.signature_image(),
                    code=form.cleaned_data.get("code") or "",
                    ip=client_ip(request),
                    agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except services.LinkUnavailable as error:
                return _unavailable(request, error.message)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return TemplateResponse(request, "contracts/sign_done.html", {})
        return self.render(link, token, form, status=400)

    def render(self, link, token, form, status=200):
        contract = link.contract
        context = {
            "form": form,
            "contract": contract,
            "document": link.document,
            "needs_code": bool(link.code_hash),
            "pdf_url": reverse("contract_sign_pdf", args=[token]),
            "expires_at": link.expires_at,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


@method_decorator(xframe_options_sameorigin, name="dispatch")
class SignPdfView(PublicSignMixin, View):
    """The file the link was made for, inline: the one version the customer is asked to sign."""

    def get(self, request, token):
        try:
            link = services.open_sign_link(token)
        except services.LinkUnavailable as error:
            return _unavailable(request, error.message)
        document = link.document
        response = FileResponse(document.file.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="contract-{document.contract_id}-v{document.version}.pdf"'
        response["Cache-Control"] = "no-store"
        # Shown in the signing page's own frame (on wider screens): framed by this site only, never by another.
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response


#
# The rep's pages
#


class SignLinkForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("发送至对方邮箱（可选）"), required=False)
    with_code = forms.BooleanField(label=gettext_lazy("同时发送一次性验证码（签署时需输入）"), required=False)


class SignLinkView(ScopedViewMixin, ObjectMixin, View):
    """签署链接: made on a contract 签署中, shown once to copy and send."""

    model = Contract
    action = Action.CHANGE
    template_name = "contracts/sign_link.html"

    def get(self, request, pk):
        contract = self.get_object()
        email = contract.contact.email if contract.contact_id and contract.contact.email else ""
        return self.render(contract, SignLinkForm(initial={"email": email}))

    def post(self, request, pk):
        contract = self.get_object()
        form = SignLinkForm(request.POST)
        new = None
        status = 400
        if form.is_valid():
            try:
                new = services.create_sign_link(
                    actor=request.user,
                    contract=contract,
                    email=form.cleaned_data["email"],
                    with_code=form.cleaned_data["with_code"],
                )
                status = 200
            except ApplicationError as error:
                form.add_error(None, error.message)
        return self.render(contract, form, new=new, status=status)

    def render(self, contract, form, *, new=None, status=200):
        context = self.get_context_data(
            object=contract,
            form=form,
            new=new,
            url=request_url(self.request, new.url) if new else "",
            signing=contract.status == ContractStatus.SIGNING,
            cancel_url=reverse("contracts:contract_detail", args=[contract.pk]),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


def request_url(request, url: str) -> str:
    return url if url.startswith("http") else request.build_absolute_uri(url)


class DocumentFileView(ScopedViewMixin, ObjectMixin, View):
    """A signed version of a contract the user may view, as stored."""

    model = ContractDocument
    action = Action.VIEW

    def get(self, request, pk):
        document = self.get_object()
        response = FileResponse(document.file.open("rb"), content_type="application/pdf")
        name = f"{document.contract.number or document.contract_id}-v{document.version}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class DocumentListView(ScopedViewMixin, ObjectMixin, View):
    """A contract's signed files, newest first, with its signing links (never their tokens)."""

    model = Contract
    action = Action.VIEW
    template_name = "contracts/sign_documents.html"

    def get(self, request, pk):
        contract = self.get_object()
        context = self.get_context_data(
            object=contract,
            documents=ContractDocument.objects.filter(contract=contract).order_by("-version"),
            links=contract.sign_links.order_by("-created_at"),
            may_link=contract.status == ContractStatus.SIGNING and self.can(Action.CHANGE, contract),
            archive=ContractArchive.objects.filter(contract=contract).first(),
        )
        return TemplateResponse(request, self.template_name, context)


class VerifyForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("PDF 文件"))


class VerifyView(ScopedViewMixin, View):
    """验证签名: is this PDF one Keshang signed, unchanged since, and which contract is it?"""

    model = ContractDocument
    action = Action.VIEW
    template_name = "contracts/sign_verify.html"

    def get(self, request):
        return self.render(VerifyForm())

    def post(self, request):
        form = VerifyForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > services.verification.MAX_VERIFY_BYTES:
                form.add_error("file", _("文件过大。"))
            else:
                result = services.verify_document(user=request.user, pdf=upload.read())
        return self.render(form, result=result, status=200 if result else 400)

    def render(self, form, *, result=None, status=200):
        context = self.get_context_data(form=form, result=result)
        return TemplateResponse(self.request, self.template_name, context, status=status)


#
# Certificates (系统设置)
#


class CertificateUploadForm(forms.Form):
    company = forms.ModelChoiceField(label=gettext_lazy("我方公司"), queryset=Company.objects.none())
    file = forms.FileField(label=gettext_lazy("证书文件（.p12/.pfx）"), required=False)
    password = forms.CharField(label=gettext_lazy("证书密码"), required=False, widget=forms.PasswordInput)
    trial = forms.BooleanField(label=gettext_lazy("不上传，生成试用证书（自签名）"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.visible_to(user, Action.VIEW).filter(is_active=True)


class CertificateListView(ScopedViewMixin, View):
    model = CompanyCertificate
    action = Action.VIEW
    template_name = "contracts/sign_certificates.html"

    def get(self, request):
        return self.render(CertificateUploadForm(user=request.user))

    def post(self, request):
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您没有此操作的权限。"))
        form = CertificateUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            company = form.cleaned_data["company"]
            upload = form.cleaned_data.get("file")
            try:
                if form.cleaned_data["trial"]:
                    services.generate_trial_certificate(actor=request.user, company=company)
                elif upload is None:
                    form.add_error("file", _("请上传证书文件，或选择生成试用证书。"))
                else:
                    if upload.size > services.certificates.MAX_CERTIFICATE_BYTES:
                        raise ApplicationError(_("证书文件过大。"), code="certificate_invalid")
                    services.upload_certificate(
                        actor=request.user,
                        company=company,
                        pkcs12=upload.read(),
                        password=form.cleaned_data.get("password") or "",
                    )
            except ApplicationError as error:
                form.add_error(None, error.message)
            if not form.errors:
                messages.success(request, _("证书已保存。"))
                return redirect_after_write(request, reverse("contracts:companycertificate_list"))
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = self.get_context_data(
            form=form,
            certificates=self.queryset.select_related("company", "created_by"),
            may_add=self.can(Action.ADD),
            may_change=self.can(Action.CHANGE),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


class CertificateDeactivateView(ScopedViewMixin, ObjectMixin, View):
    model = CompanyCertificate
    action = Action.CHANGE

    def post(self, request, pk):
        certificate = self.get_object()
        try:
            services.deactivate_certificate(actor=request.user, certificate=certificate)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("证书已停用。"))
        return redirect_after_write(request, reverse("contracts:companycertificate_list"))


#
# The archive (归档)
#


class ArchiveListView(ScopedViewMixin, View):
    """归档: search by archive number, contract number, party, product or archive date."""

    model = ContractArchive
    action = Action.VIEW
    required_rights = ((ARCHIVE, Action.VIEW),)
    template_name = "contracts/archive_list.html"

    def get(self, request):
        rows = self.queryset.select_related("contract", "contract__partner", "contract__seller")
        query = (request.GET.get("q") or "").strip()[:100]
        if query:
            rows = rows.filter(
                Q(number__icontains=query)
                | Q(contract__number__icontains=query)
                | Q(contract__partner__name__icontains=query)
                | Q(contract__seller__name__icontains=query)
                | Q(contract__lines__product__name__icontains=query)
            ).distinct()
        dates = {}
        for key in ("since", "until"):
            try:
                dates[key] = datetime.date.fromisoformat(request.GET.get(key) or "")
            except ValueError:
                dates[key] = None
        if dates["since"]:
            rows = rows.filter(archived_at__date__gte=dates["since"])
        if dates["until"]:
            rows = rows.filter(archived_at__date__lte=dates["until"])
        context = self.get_context_data(archives=rows.order_by("-archived_at", "-pk")[:200], q=query, dates=dates)
        return TemplateResponse(request, self.template_name, context)


class LoanForm(forms.Form):
    borrower = forms.ModelChoiceField(label=gettext_lazy("借阅人"), queryset=User.objects.none())
    due_on = forms.DateField(label=gettext_lazy("应还日期"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=gettext_lazy("用途"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borrower"].queryset = User.objects.visible_to(user, Action.VIEW).filter(is_active=True)


class LocationForm(forms.Form):
    cabinet = forms.CharField(label=gettext_lazy("柜"), max_length=50, required=False)
    box = forms.CharField(label=gettext_lazy("盒"), max_length=50, required=False)
    notes = forms.CharField(label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ArchiveDetailView(ScopedViewMixin, ObjectMixin, View):
    """An archived contract: its final file, the paper copy's place, 借出 / 归还 for those who may change it."""

    model = ContractArchive
    action = Action.VIEW
    required_rights = ((ARCHIVE, Action.VIEW),)
    template_name = "contracts/archive_detail.html"

    def get(self, request, pk):
        archive = self.get_object()
        return self.render(archive)

    def render(self, archive, *, loan_form=None, location_form=None, status=200):
        context = self.get_context_data(
            object=archive,
            loans=archive.loans.select_related("borrower"),
            lent=archive.loans.filter(returned_at__isnull=True).exists(),
            may_change=has_action(self.request.user, ARCHIVE, Action.CHANGE),
            loan_form=loan_form or LoanForm(user=self.request.user),
            location_form=location_form
            or LocationForm(initial={"cabinet": archive.cabinet, "box": archive.box, "notes": archive.notes}),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


class ArchiveActionView(ArchiveDetailView):
    """借出 / 归还 and the paper copy's place: the archive's "change", granted to finance, management and admins."""

    required_rights = ((ARCHIVE, Action.CHANGE),)

    def get(self, request, pk):
        archive = self.get_object()  # outside the scope: 404, as the detail page
        return redirect_after_write(request, reverse("contracts:contractarchive_detail", args=[archive.pk]))

    def post(self, request, pk):
        archive = self.get_object()
        what = request.POST.get("what")
        loan_form = LoanForm(request.POST if what == "lend" else None, user=request.user)
        location_form = LocationForm(request.POST if what == "location" else None)
        try:
            if what == "lend" and loan_form.is_valid():
                services.lend_archive(actor=request.user, archive=archive, **loan_form.cleaned_data)
            elif what == "return":
                services.return_loan(actor=request.user, archive=archive)
            elif what == "location" and location_form.is_valid():
                services.update_archive_location(actor=request.user, archive=archive, **location_form.cleaned_data)
            else:
                return self.render(archive, loan_form=loan_form, location_form=location_form, status=400)
        except ApplicationError as error:
            messages.error(request, error.message)
            return self.render(archive, loan_form=loan_form, location_form=location_form, status=400)
        messages.success(request, _("已保存。"))
        return redirect_after_write(request, reverse("contracts:contractarchive_detail", args=[archive.pk]))


urlpatterns = [
    path("contracts/<int:pk>/sign-link/", SignLinkView.as_view(), name="contract_sign_link"),
    path("contracts/<int:pk>/documents/", DocumentListView.as_view(), name="contract_documents"),
    path("documents/<int:pk>/file/", DocumentFileView.as_view(), name="contractdocument_file"),
    path("verify/", VerifyView.as_view(), name="contract_verify"),
    path("certificates/", CertificateListView.as_view(), name="companycertificate_list"),
    path(
        "certificates/<int:pk>/deactivate/", CertificateDeactivateView.as_view(), name="companycertificate_deactivate"
    ),
    path("archive/", ArchiveListView.as_view(), name="contractarchive_list"),
    path("archive/<int:pk>/", ArchiveDetailView.as_view(), name="contractarchive_detail"),
    path("archive/<int:pk>/loan/", ArchiveActionView.as_view(), name="contractarchive_action"),
]

# Mounted at the site's root (keshang/urls.py): the customer has no account.
public_urlpatterns = [
    path("sign/<str:token>/", SignPageView.as_view(), name="contract_sign"),
    path("sign/<str:token>/pdf/", SignPdfView.as_view(), name="contract_sign_pdf"),
]
