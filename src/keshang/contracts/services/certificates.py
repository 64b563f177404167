"""Our companies' signing certificates (issue 13): upload a PKCS#12, make a trial one, deactivate one. The file and
its password are stored encrypted (``core.crypto``) and never leave these services but as a ``SigningIdentity``."""

from __future__ import annotations

import base64

from django.db import transaction
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.org.models import Company

from ..models import CompanyCertificate
from ..signing import SigningIdentity, generate_trial_identity, load_identity

__all__ = [
    "MAX_CERTIFICATE_BYTES",
    "upload_certificate",
    "generate_trial_certificate",
    "deactivate_certificate",
    "certificate_identity",
    "active_certificate",
    "known_fingerprints",
    "certificate_label",
]

MAX_CERTIFICATE_BYTES = 64 * 1024


def _store(*, actor, company: Company, pkcs12: bytes, password: str, message: str) -> CompanyCertificate:
    identity = load_identity(pkcs12=pkcs12, password=password)
    if CompanyCertificate.objects.filter(fingerprint=identity.fingerprint).exists():
        raise ApplicationError(_("该证书已上传过。"), code="certificate_exists")
    certificate = CompanyCertificate(
        company=company,
        pkcs12=base64.b64encode(pkcs12).decode(),
        password=password,
        subject_name=identity.subject_name[:200] or company.name,
        organisation=identity.organisation[:200],
        serial=identity.serial[:80],
        fingerprint=identity.fingerprint,
        not_before=identity.not_before,
        not_after=identity.not_after,
        is_trial=identity.is_trial,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    certificate.full_clean()
    certificate.save()
    audit.record(actor=actor, obj=certificate, action=AuditAction.CREATE, message=message)
    return certificate


def upload_certificate(*, actor, company: Company, pkcs12: bytes, password: str) -> CompanyCertificate:
    """A company's certificate from a CA (.p12/.pfx with its password); refused with the library's codes
    (certificate_invalid, certificate_password_wrong, certificate_expired)."""
    if len(pkcs12) > MAX_CERTIFICATE_BYTES:
        raise ApplicationError(_("证书文件过大。"), code="certificate_invalid")
    with transaction.atomic():
        return _store(actor=actor, company=company, pkcs12=pkcs12, password=password or "", message=_("上传证书"))


def generate_trial_certificate(*, actor, company: Company) -> CompanyCertificate:
    """A self-signed 试用证书 for a company without a CA certificate, valid one year."""
    pkcs12, password = generate_trial_identity(company_name=company.name, credit_code=company.credit_code or "")
    with transaction.atomic():
        return _store(actor=actor, company=company, pkcs12=pkcs12, password=password, message=_("生成试用证书"))


def deactivate_certificate(*, actor, certificate: CompanyCertificate) -> CompanyCertificate:
    """No more signatures with it; what it signed still verifies (its fingerprint stays known)."""
    with transaction.atomic():
        certificate = CompanyCertificate.objects.select_for_update().get(pk=certificate.pk)
        if not certificate.is_active:
            raise ApplicationError(_("该证书已停用。"), code="certificate_inactive")
        before = audit.snapshot(certificate)
        certificate.is_active = False
        certificate.save(update_fields=["is_active"])
        audit.record(actor=actor, obj=certificate, action=AuditAction.UPDATE, before=before, message=_("停用证书"))
    return certificate


def certificate_identity(certificate: CompanyCertificate) -> SigningIdentity:
    return load_identity(pkcs12=base64.b64decode(certificate.pkcs12), password=certificate.password)


def active_certificate(company: Company) -> CompanyCertificate:
    """The company's newest active certificate valid now, or a refusal saying what to do."""
    from django.utils import timezone

    now = timezone.now()
    certificate = (
        CompanyCertificate.objects.filter(company=company, is_active=True, not_before__lte=now, not_after__gte=now)
        .order_by("is_trial", "-created_at")
        .first()
    )
    if certificate is None:
        raise ApplicationError(
            _("“%(company)s”没有可用的签章证书，请管理员在“系统设置 → 签章证书”上传或生成试用证书。")
            % {"company": company},
            code="no_certificate",
        )
    return certificate


def certificate_label(certificate: CompanyCertificate) -> str:
    label = certificate.company.name
    return f"{label}（{_('试用证书')}）" if certificate.is_trial else label


def known_fingerprints() -> dict[str, str]:
    """Every certificate we hold (deactivated ones too: what they signed stays ours), labelled with its company."""
    return {
        certificate.fingerprint: certificate_label(certificate)
        for certificate in CompanyCertificate.objects.select_related("company")
    }
