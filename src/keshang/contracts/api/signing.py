"""REST API of signing (issue 13): ``/contracts/{id}/sign/`` (our signature, the 发起签署 move, generated from the
workflow), ``/contracts/{id}/sign-link/`` and ``/contracts/{id}/documents/`` (added to the contract viewset by
``add_signing_actions``), ``/verify/`` (multipart PDF) and ``/certificates/`` (upload, trial, deactivate). No answer
ever carries a certificate's file or password, a link's token but once (to the rep who made it) or its hashes."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from keshang.core.api import ScopedRelatedField, ScopedViewSetMixin
from keshang.core.exceptions import ApplicationError
from keshang.core.permissions import Action
from keshang.org.models import Company

from .. import services
from ..models import CompanyCertificate, ContractDocument
from ..services.certificates import MAX_CERTIFICATE_BYTES, certificate_label
from ..services.verification import MAX_VERIFY_BYTES

__all__ = ["add_signing_actions", "CompanyCertificateViewSet", "VerifyViewSet"]


class SignLinkInputSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    with_code = serializers.BooleanField(required=False, default=False)


class SignLinkOutputSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="签署链接（只返回这一次）")
    expires_at = serializers.DateTimeField()
    email = serializers.CharField()
    code_sent = serializers.BooleanField()


class ContractDocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ContractDocument
        fields = ["id", "version", "kind", "kind_display", "sha256", "size", "signer_name", "created_at"]
        read_only_fields = fields


def add_signing_actions(viewset) -> None:
    """``sign-link/`` and ``documents/`` on the contracts' viewset (kept here: they are signing's)."""

    @extend_schema(request=SignLinkInputSerializer, responses={201: SignLinkOutputSerializer})
    @action(detail=True, methods=["post"], url_path="sign-link", scope_action=Action.CHANGE)
    def sign_link(self, request, pk=None):
        """A single-use signing link for a contract 签署中; the link (and its code) is shown only in this answer."""
        contract = self.get_object()
        data = SignLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.create_sign_link(actor=request.user, contract=contract, **data.validated_data)
        url = new.url if new.url.startswith("http") else request.build_absolute_uri(new.url)
        body = {"url": url, "expires_at": new.link.expires_at, "email": new.link.email, "code_sent": bool(new.code)}
        return Response(SignLinkOutputSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ContractDocumentSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="documents", scope_action=Action.VIEW)
    def documents(self, request, pk=None):
        """The contract's signed files, newest first (download them on the 签署与文件 page)."""
        contract = self.get_object()
        rows = ContractDocument.objects.filter(contract=contract).order_by("-version")
        return Response(ContractDocumentSerializer(rows, many=True).data)

    viewset.sign_link = sign_link
    viewset.documents = documents


class VerifyInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="要验证的 PDF 文件")


class SignatureSerializer(serializers.Serializer):
    signer_name = serializers.CharField()
    organisation = serializers.CharField()
    signing_time = serializers.DateTimeField(allow_null=True)
    timestamped = serializers.BooleanField()
    intact = serializers.BooleanField()
    covers_document = serializers.BooleanField()
    known_as = serializers.CharField(help_text="本系统证书：公司（试用证书）；空为非本系统证书")
    is_trial = serializers.BooleanField()


class VerifyOutputSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    is_signed = serializers.BooleanField()
    is_valid = serializers.BooleanField(help_text="每个签名完整，签署后只追加了后续签名")
    signed_by_keshang = serializers.BooleanField()
    summary = serializers.CharField()
    error = serializers.CharField()
    signatures = SignatureSerializer(many=True)
    contract = serializers.IntegerField(allow_null=True)
    contract_number = serializers.CharField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)


class VerifyViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """POST a PDF: its signatures checked against our certificates, and the contract it is (if the user may view
    it). Never a 500: whatever the upload, the answer says what it is."""

    model = ContractDocument
    serializer_class = VerifyInputSerializer
    parser_classes = [MultiPartParser, FormParser]
    filter_backends = []

    def get_scope_action(self) -> str:
        return Action.VIEW

    @extend_schema(request={"multipart/form-data": VerifyInputSerializer}, responses={200: VerifyOutputSerializer})
    def create(self, request, *args, **kwargs):
        upload = VerifyInputSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        pdf = upload.validated_data["file"]
        if pdf.size > MAX_VERIFY_BYTES:
            raise ApplicationError(_("文件过大。"), code="file_too_large", fields={"file": [_("文件过大。")]})
        result = services.verify_document(user=request.user, pdf=pdf.read())
        v = result.verification
        document = result.document
        body = {
            "sha256": v.sha256,
            "is_signed": v.is_signed,
            "is_valid": v.is_valid,
            "signed_by_keshang": result.signed_by_keshang,
            "summary": result.summary,
            "error": v.error,
            "signatures": [report.__dict__ for report in v.signatures],
            "contract": document.contract_id if document else None,
            "contract_number": document.contract.number if document else None,
            "version": document.version if document else None,
        }
        return Response(VerifyOutputSerializer(body).data)


class CompanyCertificateSerializer(serializers.ModelSerializer):
    """A certificate as shown: never its file, its password or its key."""

    label = serializers.SerializerMethodField()

    class Meta:
        model = CompanyCertificate
        fields = ["id", "company", "label", "subject_name", "organisation", "serial", "fingerprint", "not_before",
                  "not_after", "is_trial", "is_active", "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_label(self, obj) -> str:
        return certificate_label(obj)


class CertificateInputSerializer(serializers.Serializer):
    company = ScopedRelatedField(queryset=Company.objects.filter(is_active=True))
    file = serializers.FileField(required=False, help_text="PKCS#12 证书文件（.p12/.pfx）；trial 为真时不需要")
    password = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    trial = serializers.BooleanField(required=False, default=False, help_text="生成试用证书（自签名）")


class CompanyCertificateViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = CompanyCertificate
    serializer_class = CompanyCertificateSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends = []

    def get_queryset(self):
        return super().get_queryset().select_related("company")

    @extend_schema(
        request={"multipart/form-data": CertificateInputSerializer}, responses={201: CompanyCertificateSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Upload a company's PKCS#12 with its password, or ``trial``: generate a 试用证书."""
        data = CertificateInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["trial"]:
            certificate = services.generate_trial_certificate(actor=request.user, company=values["company"])
        else:
            upload = values.get("file")
            if upload is None:
                message = _("请上传证书文件，或选择生成试用证书。")
                raise ApplicationError(message, code="certificate_required", fields={"file": [message]})
            if upload.size > MAX_CERTIFICATE_BYTES:
                raise ApplicationError(_("证书文件过大。"), code="certificate_invalid")
            certificate = services.upload_certificate(
                actor=request.user, company=values["company"], pkcs12=upload.read(), password=values["password"]
            )
        return Response(self.get_serializer(certificate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CompanyCertificateSerializer)
    @action(detail=True, methods=["post"], scope_action=Action.CHANGE)
    def deactivate(self, request, pk=None):
        """No more signatures with this certificate; what it signed still verifies."""
        certificate = self.get_object()
        certificate = services.deactivate_certificate(actor=request.user, certificate=certificate)
        return Response(self.get_serializer(certificate).data)


def register_signing_routes(router) -> None:
    router.register("certificates", CompanyCertificateViewSet, basename="companycertificate")
    router.register("verify", VerifyViewSet, basename="verify")
