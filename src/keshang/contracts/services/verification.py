"""Verifying an uploaded PDF against what Keshang signed (issue 13): the signatures (by our certificates or not,
intact or not, who and when), and which contract it is — by SHA-256 among the stored documents, named only to
a user who may view that contract."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from keshang.core.permissions import Action

from ..models import Contract, ContractDocument
from ..signing import Verification, verify_pdf
from .certificates import known_fingerprints

__all__ = ["MAX_VERIFY_BYTES", "VerifyResult", "verify_document"]

MAX_VERIFY_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class VerifyResult:
    verification: Verification
    document: ContractDocument | None  # the stored version with the same bytes, when the user may view its contract
    stored_elsewhere: bool  # the bytes are a stored version of a contract the user may not view

    @property
    def signed_by_keshang(self) -> bool:
        return self.verification.signed_by_known

    @property
    def summary(self) -> str:
        v = self.verification
        if not v.is_signed:
            return v.error or _("文件中没有数字签名。")
        if not v.is_valid:
            return _("文件签名后已被修改或签名已损坏，验证不通过。")
        if not v.signed_by_known:
            return _("签名完整，但不是由本系统的证书签署。")
        return _("验证通过：文件由本系统签署，签署后未被修改。")


def verify_document(*, user, pdf: bytes) -> VerifyResult:
    if len(pdf) > MAX_VERIFY_BYTES:
        verification = Verification(sha256="", error=_("文件过大。"))
        return VerifyResult(verification=verification, document=None, stored_elsewhere=False)
    verification = verify_pdf(pdf, known_fingerprints=known_fingerprints())
    # Unscoped lookup by hash, then the contract checked against the user's scope before it is named.
    match = ContractDocument.objects.unscoped().filter(sha256=verification.sha256).select_related("contract").first()
    document = None
    if match is not None and Contract.objects.visible_to(user, Action.VIEW).filter(pk=match.contract_id).exists():
        document = match
    return VerifyResult(
        verification=verification, document=document, stored_elsewhere=match is not None and document is None
    )
