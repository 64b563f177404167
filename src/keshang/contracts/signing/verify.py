"""Verifying the signatures in a PDF (issue 13): are the signed bytes intact, and was nothing but later signatures
added after each one?

Trust is not pyHanko's here: company and trial certificates chain to no public root, so a chain is checked only
for being what it says (the issuer's key signed the signer's certificate), and the caller decides whom it trusts
by fingerprint, from its own table of certificates (``known_fingerprints``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .certificates import fingerprint, is_trial_certificate, subject_part
from .loops import outside_event_loop
from .pdfsign import sha256_hex

__all__ = ["SignatureReport", "Verification", "verify_pdf"]

logger = logging.getLogger(__name__)

# What may follow a signature when only later signatures were added: their new fields (FORM_FILLING; the fields
# changed are checked to be those signatures') and the DSS of long-term validation (LTA_UPDATES).
ALLOWED_AFTER = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}


@dataclass(frozen=True)
class SignatureReport:
    """One signature as found. ``intact``: the signed bytes' digest matches and the CMS signature is valid.
    ``covers_document``: everything in the file after this signature is later signatures. ``issuer_fingerprint``
    is empty for a self-signed certificate, or when no embedded certificate is proven to have issued it."""

    field_name: str
    signer_name: str
    organisation: str
    signing_time: datetime | None
    timestamped: bool
    reason: str
    intact: bool
    covers_document: bool
    certificate_fingerprint: str
    issuer_fingerprint: str
    is_trial: bool
    known_as: str


@dataclass(frozen=True)
class Verification:
    sha256: str
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str = ""

    @property
    def is_signed(self) -> bool:
        return bool(self.signatures)

    @property
    def is_valid(self) -> bool:
        """Every signature intact and followed by nothing but later signatures, so the last one covers the file."""
        return self.is_signed and all(report.intact and report.covers_document for report in self.signatures)

    @property
    def signed_by_known(self) -> bool:
        """An intact signature by a certificate the caller knows, or issued by one."""
        return any(report.intact and report.known_as for report in self.signatures)


@outside_event_loop
def verify_pdf(pdf: bytes, *, known_fingerprints: dict[str, str] | None = None) -> Verification:
    """The signatures of ``pdf``, each checked; never raises on what a user may upload (``error`` says why)."""
    digest = sha256_hex(pdf)
    known = {key.lower(): label for key, label in (known_fingerprints or {}).items()}
    # Anything may come in an upload: every failure to read it is the same answer to the user, and the log's.
    try:
        reader = PdfFileReader(BytesIO(pdf))
    except Exception as error:
        logger.info("Not a readable PDF: %s", error)
        return Verification(sha256=digest, error=_("不是有效的 PDF 文件。"))
    try:
        embedded = reader.embedded_signatures
    except Exception as error:
        # A signature's CMS blob that does not parse: there is no telling whose, or even how many there are.
        logger.info("Unreadable signatures in a PDF: %s", error)
        return Verification(sha256=digest, error=_("文件中的数字签名已损坏，无法读取。"))
    if not embedded:
        return Verification(sha256=digest, error=_("文件中没有数字签名。"))
    # The file's end is signed when the last signature reaches it; that one may be a document timestamp (PAdES
    # B-LTA), reported as no signature of its own.
    file_end_signed = _covers_to_end(embedded[-1])
    regular = [sig for sig in embedded if sig.sig_object_type == "/Sig"]
    reports = []
    damaged = False
    for index, sig in enumerate(regular):
        later_fields = {later.field_name for later in regular[index + 1 :]}
        try:
            reports.append(_report(sig, later_fields=later_fields, file_end_signed=file_end_signed, known=known))
        except Exception as error:
            # pyHanko raises instead of reporting on some tampering (a signed attribute naming another certificate).
            logger.info("Damaged signature %s in a PDF: %s", sig.field_name, error)
            reports.append(_damaged_report(sig))
            damaged = True
    return Verification(
        sha256=digest, signatures=reports, error=_("文件中的数字签名已损坏，无法读取。") if damaged else ""
    )


def _damaged_report(sig: EmbeddedPdfSignature) -> SignatureReport:
    return SignatureReport(
        field_name=str(sig.field_name),
        signer_name="",
        organisation="",
        signing_time=None,
        timestamped=False,
        reason="",
        intact=False,
        covers_document=False,
        certificate_fingerprint="",
        issuer_fingerprint="",
        is_trial=False,
        known_as="",
    )


def _covers_to_end(sig: EmbeddedPdfSignature) -> bool:
    try:
        return sig.evaluate_signature_coverage() == SignatureCoverageLevel.ENTIRE_FILE
    except Exception:
        return False


def _report(
    sig: EmbeddedPdfSignature, *, later_fields: set[str], file_end_signed: bool, known: dict[str, str]
) -> SignatureReport:
    status = validate_pdf_signature(sig, _validation_context(sig))
    certificate = _cryptography(sig.signer_cert)
    issuer = _proven_issuer(certificate, [_cryptography(cert) for cert in sig.other_embedded_certs])
    certificate_fingerprint = fingerprint(certificate)
    issuer_fingerprint = fingerprint(issuer) if issuer else ""
    signing_time, timestamped = _signing_time(status)
    return SignatureReport(
        field_name=sig.field_name,
        signer_name=subject_part(certificate, NameOID.COMMON_NAME),
        organisation=subject_part(certificate, NameOID.ORGANIZATION_NAME),
        signing_time=signing_time,
        timestamped=timestamped,
        reason=str(sig.sig_object.get("/Reason", "")),
        intact=bool(status.intact and status.valid),
        covers_document=_covers_document(status, later_fields=later_fields, file_end_signed=file_end_signed),
        certificate_fingerprint=certificate_fingerprint,
        issuer_fingerprint=issuer_fingerprint,
        is_trial=is_trial_certificate(certificate) or bool(issuer and is_trial_certificate(issuer)),
        known_as=known.get(certificate_fingerprint) or (known.get(issuer_fingerprint, "") if issuer else ""),
    )


def _validation_context(sig: EmbeddedPdfSignature) -> ValidationContext:
    # The embedded self-signed certificates as roots, at the claimed signing time, offline: then pyHanko finds a
    # company's chain without logging it as a failure, and a signer's one-day certificate is not "expired" a
    # month later. Nothing is concluded from pyHanko's ``trusted``.
    certificates = [sig.signer_cert, *sig.other_embedded_certs]
    return ValidationContext(
        trust_roots=[cert for cert in certificates if cert.self_signed != "no"],
        moment=sig.self_reported_timestamp,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def _covers_document(status: PdfSignatureStatus, *, later_fields: set[str], file_end_signed: bool) -> bool:
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or not file_end_signed:
        return False
    diff = status.diff_result
    # FORM_FILLING also allows filling in the document's other fields (an amount left blank, say): only the
    # fields of later signatures may have changed.
    return (
        isinstance(diff, DiffResult)
        and diff.modification_level in ALLOWED_AFTER
        and diff.changed_form_fields <= later_fields
    )


def _signing_time(status: PdfSignatureStatus) -> tuple[datetime | None, bool]:
    """The time of a valid timestamp token, else the signer's own (the signature dictionary's /M)."""
    token = status.timestamp_validity
    if token is not None and token.intact and token.valid:
        return token.timestamp, True
    claimed = status.signer_reported_dt
    if claimed is not None and claimed.tzinfo is None:
        # A /M without an offset is UTC (PDF 32000-1, 7.9.4).
        claimed = claimed.replace(tzinfo=UTC)
    return claimed, False


def _proven_issuer(certificate: x509.Certificate, others: list[x509.Certificate]) -> x509.Certificate | None:
    """The embedded certificate whose key signed ``certificate``: a name alone proves nothing (anyone may embed our
    company's certificate next to one they made with its name as issuer)."""
    if certificate.issuer == certificate.subject:
        return None
    for candidate in others:
        try:
            certificate.verify_directly_issued_by(candidate)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return candidate
    return None


def _cryptography(certificate: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())
