"""Signing certificates (issue 13): a company's identity loaded from PKCS#12, a trial identity made on the spot for
companies without a CA certificate, and short-lived certificates for people who sign through Keshang.

The trust model is the caller's: Keshang keeps a table of the certificates it knows (our companies' and the
certificates it issued) and decides trust by fingerprint, so nothing here needs a trusted root."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization.pkcs12 import (
    PKCS12KeyAndCertificates,
    load_pkcs12,
    serialize_key_and_certificates,
)
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _

from keshang.core.exceptions import ApplicationError

__all__ = [
    "TRIAL_LABEL",
    "SigningIdentity",
    "fingerprint",
    "generate_trial_identity",
    "is_trial_certificate",
    "issue_signer_identity",
    "load_identity",
    "subject_part",
]

# Not translated: it is written into certificates, where any PDF reader shows it as it is.
TRIAL_LABEL = "试用证书（自签名，无第三方认证）"
# Clocks of the machines that read the PDF may run a little behind ours.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class SigningIdentity:
    """A private key with its certificate and the certificates above it (issuer first)."""

    key: PrivateKeyTypes = field(repr=False)
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def subject_name(self) -> str:
        return subject_part(self.certificate, NameOID.COMMON_NAME)

    @property
    def organisation(self) -> str:
        return subject_part(self.certificate, NameOID.ORGANIZATION_NAME)

    @property
    def serial(self) -> str:
        return format(self.certificate.serial_number, "x")

    @property
    def not_before(self) -> datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after_utc

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    @property
    def is_trial(self) -> bool:
        """A trial certificate, or one issued by a trial certificate: no third party vouches for either."""
        return any(is_trial_certificate(cert) for cert in (self.certificate, *self.chain))


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lower-case hex: the key of the caller's certificates table."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def is_trial_certificate(certificate: x509.Certificate) -> bool:
    units = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    return any(TRIAL_LABEL in str(unit.value) for unit in units)


def subject_part(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    """One attribute of the certificate's subject (the first, if repeated), or empty."""
    values = certificate.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _new_key() -> rsa.RSAPrivateKey:
    # RSA rather than EC: older Chinese PDF readers verify RSA signatures, not all verify ECDSA ones.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _key_usage(*, issues_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # nonRepudiation: pyHanko's validator asks for it on document signatures
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        # A company's certificate also signs those of the people who sign for or with the company.
        key_cert_sign=issues_certificates,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _hash_for(key: PrivateKeyTypes) -> hashes.HashAlgorithm | None:
    # Ed25519 and Ed448 hash internally and refuse an algorithm.
    return None if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey) else hashes.SHA256()


def generate_trial_identity(*, company_name: str, credit_code: str = "", days: int = 365) -> tuple[bytes, str]:
    """A self-signed certificate for a company without one from a CA, labelled as a trial in its OU. It returns
    PKCS#12 bytes and a random password, so it is stored and loaded exactly like an uploaded certificate. It may
    issue certificates (``issue_signer_identity``) for the people who sign through Keshang on the company's side
    or its customers'."""
    key = _new_key()
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, company_name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TRIAL_LABEL),
        x509.NameAttribute(NameOID.COMMON_NAME, company_name),
    ]
    if credit_code:
        # organizationIdentifier (2.5.4.97), where CAs put a company's registration number.
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, credit_code))
    name = x509.Name(parts)
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(issues_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(24)
    data = serialize_key_and_certificates(
        name=company_name.encode(),
        key=key,
        cert=certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
    )
    return data, password


def load_identity(*, pkcs12: bytes, password: str, now: datetime | None = None) -> SigningIdentity:
    """The identity in a PKCS#12 file (.p12/.pfx), refused unless it holds a key matching its certificate and is
    valid at ``now`` (default: the current time)."""
    if not _is_pkcs12(pkcs12):
        raise ApplicationError(_("该文件不是有效的 PKCS#12 证书（.p12/.pfx）。"), code="certificate_invalid")
    bundle = _open_pkcs12(pkcs12, password)
    if bundle.key is None or bundle.cert is None:
        raise ApplicationError(_("证书文件中没有私钥或证书。"), code="certificate_invalid")
    key, certificate = bundle.key, bundle.cert.certificate
    if key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise ApplicationError(_("证书文件中的私钥与证书不匹配。"), code="certificate_invalid")
    identity = SigningIdentity(
        key=key, certificate=certificate, chain=tuple(extra.certificate for extra in bundle.additional_certs)
    )
    now = now or datetime.now(UTC)
    if not identity.not_before <= now <= identity.not_after:
        raise ApplicationError(
            _("证书不在有效期内（有效期 %(start)s 至 %(end)s）。")
            % {"start": f"{identity.not_before:%Y-%m-%d}", "end": f"{identity.not_after:%Y-%m-%d}"},
            code="certificate_expired",
        )
    return identity


def _is_pkcs12(data: bytes) -> bool:
    # cryptography says the same for a wrong password and for garbage; the outer structure, which is not
    # encrypted, tells them apart.
    try:
        return asn1_pkcs12.Pfx.load(data, strict=True)["auth_safe"]["content_type"].native == "data"
    except (ValueError, TypeError, KeyError):
        return False


def _open_pkcs12(data: bytes, password: str) -> PKCS12KeyAndCertificates:
    # An empty password may mean "no password" or "the empty password": tools write both.
    attempts = [password.encode()] if password else [b"", None]
    for attempt in attempts:
        try:
            return load_pkcs12(data, attempt)
        except ValueError:
            continue
    raise ApplicationError(_("证书密码错误。"), code="certificate_password_wrong")


def issue_signer_identity(
    *, issuer: SigningIdentity, name: str, organisation: str = "", days: int = 1
) -> SigningIdentity:
    """A short-lived certificate for a person who signs through Keshang without a certificate of their own: its
    subject is the name they typed (and their company), its issuer the company identity, so a PDF reader shows who
    signed and who vouched for them. Kept in memory only: the key is used for one signature and forgotten."""
    name = name.strip()
    if not name:
        raise ApplicationError(_("请填写签署人姓名。"), code="signer_name_required")
    key = _new_key()
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    if organisation.strip():
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.strip()))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, name))
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(parts))
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        # A certificate outliving its issuer's would fail every path validation.
        .not_valid_after(min(now + timedelta(days=days), issuer.not_after))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(issues_certificates=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.certificate.public_key()), critical=False
        )
        .sign(issuer.key, _hash_for(issuer.key))
    )
    return SigningIdentity(key=key, certificate=certificate, chain=(issuer.certificate, *issuer.chain))
