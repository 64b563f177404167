"""The PAdES signing library (issue 13): certificates, signatures and their verification, on a contract PDF made
here with Chinese text. No database: the library has none."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pypdfium2
import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper, TimeStamper, TimestampRequestError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from keshang.contracts.signing import (
    TRIAL_LABEL,
    SignatureBox,
    SigningIdentity,
    issue_signer_identity,
    load_identity,
    local_timestamper,
    sha256_hex,
    sign_pdf,
    verify_pdf,
)
from keshang.core.exceptions import ApplicationError

from .signing_fixtures import (
    COMPANY,
    COMPANY_BOX,
    CREDIT_CODE,
    CUSTOMER_BOX,
    OURS,
    _append_update,
    _der,
    _plain_pkcs12,
)

#
# Certificates
#


def test_a_trial_identity_round_trips_through_pkcs12_with_its_password(company):
    # given
    data, password, identity = company
    # then
    assert len(password) >= 24
    assert identity.subject_name == COMPANY
    assert identity.organisation == COMPANY
    assert identity.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == CREDIT_CODE
    assert identity.is_trial
    assert identity.fingerprint == hashlib.sha256(_der(identity.certificate)).hexdigest()
    assert int(identity.serial, 16) == identity.certificate.serial_number
    assert timedelta(days=365) <= identity.not_after - identity.not_before <= timedelta(days=365, minutes=6)
    usage = identity.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    # and a second load of the same file is the same certificate
    assert load_identity(pkcs12=data, password=password).fingerprint == identity.fingerprint


def test_a_wrong_password_is_told_apart_from_a_file_that_is_no_certificate(company):
    with pytest.raises(ApplicationError) as refused:
        load_identity(pkcs12=company[0], password="not-the-password")
    assert refused.value.code == "certificate_password_wrong"


@pytest.mark.parametrize("garbage", [b"", b"not a certificate", b"%PDF-1.7\n%%EOF\n", bytes(64)])
def test_garbage_is_not_a_certificate(garbage):
    with pytest.raises(ApplicationError) as refused:
        load_identity(pkcs12=garbage, password="whatever")
    assert refused.value.code == "certificate_invalid"


def test_a_pkcs12_without_a_private_key_is_refused(company):
    # given a file holding only the certificate, as a careless export makes
    data = pkcs12.serialize_key_and_certificates(
        name=None,
        key=None,
        cert=company[2].certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(b"secret"),
    )
    # when
    with pytest.raises(ApplicationError) as refused:
        load_identity(pkcs12=data, password="secret")
    # then
    assert refused.value.code == "certificate_invalid"


def test_a_certificate_outside_its_validity_is_refused_with_its_dates(company):
    data, password, identity = company
    for moment in (identity.not_after + timedelta(days=1), identity.not_before - timedelta(days=1)):
        with pytest.raises(ApplicationError) as refused:
            load_identity(pkcs12=data, password=password, now=moment)
        assert refused.value.code == "certificate_expired"
        assert f"{identity.not_after:%Y-%m-%d}" in refused.value.message


def test_a_self_made_certificate_without_the_label_is_not_a_trial_and_an_empty_password_opens_it():
    identity = load_identity(pkcs12=_plain_pkcs12(password=""), password="")
    assert identity.subject_name == "杭州某某有限公司"
    assert not identity.is_trial
    assert TRIAL_LABEL not in str(identity.certificate.subject)


def test_a_signer_certificate_names_the_person_and_is_issued_by_the_company(company, customer):
    issuer = company[2]
    assert customer.subject_name == "李四"
    assert customer.organisation == "北京某某科技有限公司"
    assert customer.certificate.issuer == issuer.certificate.subject
    customer.certificate.verify_directly_issued_by(issuer.certificate)
    assert customer.chain == (issuer.certificate,)
    assert customer.not_after <= datetime.now(UTC) + timedelta(days=1)
    # vouched for by a trial certificate, it is no stronger than one
    assert customer.is_trial


def test_a_signer_without_a_name_is_refused(company):
    with pytest.raises(ApplicationError) as refused:
        issue_signer_identity(issuer=company[2], name="  ")
    assert refused.value.code == "signer_name_required"


#
# Signing and verifying
#


def test_one_signature_is_intact_covers_the_file_and_names_the_company(company, contract_pdf, signed_once):
    # given
    identity = company[2]
    # when
    verification = verify_pdf(signed_once, known_fingerprints={identity.fingerprint.upper(): OURS})
    # then
    assert verification.sha256 == sha256_hex(signed_once) == hashlib.sha256(signed_once).hexdigest()
    assert verification.error == ""
    assert verification.is_signed and verification.is_valid and verification.signed_by_known
    [report] = verification.signatures
    assert (report.field_name, report.signer_name, report.organisation) == ("company", COMPANY, COMPANY)
    assert report.intact and report.covers_document
    assert report.certificate_fingerprint == identity.fingerprint
    assert report.issuer_fingerprint == ""  # self-signed: no CA above it
    assert report.is_trial
    assert report.known_as == OURS
    assert report.reason == "甲方签署"
    assert report.signing_time.tzinfo is not None
    assert abs(report.signing_time - datetime.now(UTC)) < timedelta(minutes=5)
    assert not report.timestamped
    # and the signature is an incremental update: the original file is its first bytes
    assert signed_once.startswith(contract_pdf)


def test_a_second_signature_leaves_the_first_valid(company, customer, signed_once, signed_twice):
    # given
    identity = company[2]
    # when
    verification = verify_pdf(signed_twice, known_fingerprints={identity.fingerprint: OURS})
    # then pyHanko sees the first signature covering its revision only, followed by form filling that changed the
    # customer's field alone: allowed, so it still covers the document
    first, second = verification.signatures
    assert signed_twice.startswith(signed_once)
    assert first.field_name == "company" and first.intact and first.covers_document
    assert (second.field_name, second.signer_name, second.organisation) == ("customer", "李四", "北京某某科技有限公司")
    assert second.intact and second.covers_document
    assert second.certificate_fingerprint == customer.fingerprint
    assert second.issuer_fingerprint == identity.fingerprint
    assert second.known_as == OURS  # through its issuer
    assert second.is_trial
    assert verification.is_valid and verification.signed_by_known


def test_without_known_fingerprints_nothing_is_known(signed_twice):
    verification = verify_pdf(signed_twice)
    assert verification.is_valid
    assert not verification.signed_by_known
    assert [report.known_as for report in verification.signatures] == ["", ""]


def test_a_certificate_that_only_names_the_company_as_issuer_is_not_known(company, contract_pdf):
    # given a certificate whose issuer is the company's name, signed by another key, with the company's real
    # certificate embedded beside it
    issuer = company[2]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    forged = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "冒名者")]))
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    impostor = SigningIdentity(key=key, certificate=forged, chain=(issuer.certificate,))
    signed = sign_pdf(contract_pdf, identity=impostor, field_name="company", box=None, reason="甲方签署")
    # when
    verification = verify_pdf(signed, known_fingerprints={issuer.fingerprint: OURS})
    # then the signature is intact (its own key made it), but nobody the caller knows issued its certificate
    [report] = verification.signatures
    assert report.intact and report.covers_document
    assert report.issuer_fingerprint == ""
    assert report.known_as == ""
    assert not report.is_trial
    assert verification.is_valid and not verification.signed_by_known


def test_an_invisible_signature_after_a_visible_one_keeps_both_valid(company, signed_once):
    signed = sign_pdf(signed_once, identity=company[2], field_name="archive", box=None, reason="归档")
    verification = verify_pdf(signed)
    assert [report.field_name for report in verification.signatures] == ["company", "archive"]
    assert verification.is_valid


def test_an_empty_field_already_in_the_file_is_filled_with_a_chinese_capable_appearance(company, contract_pdf):
    # given a contract whose template brought its own visible signature field
    def add_field(writer):
        fields.append_signature_field(writer, fields.SigFieldSpec("company", on_page=0, box=(320, 80, 540, 170)))

    prepared = _append_update(contract_pdf, add_field)
    # when it is signed without a box of ours
    signed = sign_pdf(prepared, identity=company[2], field_name="company", box=None, reason="甲方签署")
    # then the appearance writes the company's name in Noto Sans SC (pyHanko's default font has no Chinese)
    [signature] = PdfFileReader(BytesIO(signed)).embedded_signatures
    font_names = [
        str(font.get_object()["/BaseFont"]) for font in signature.sig_field["/AP"]["/N"]["/Resources"]["/Font"].values()
    ]
    assert any("NotoSansSC" in name for name in font_names)
    assert verify_pdf(signed).is_valid


def test_a_timestamped_signature_takes_its_time_from_the_token(company, contract_pdf):
    # given a time-stamping authority made here (offline), whose certificate the company issued
    issuer = company[2]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    tsa_certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试时间戳服务")]))
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(issuer.key, hashes.SHA256())
    )
    token_time = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    timestamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(_der(tsa_certificate)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        certs_to_embed=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(_der(issuer.certificate))]),
        fixed_dt=token_time,
    )
    # when
    signed = sign_pdf(
        contract_pdf, identity=issuer, field_name="company", box=None, reason="甲方签署", timestamper=timestamper
    )
    # then
    [report] = verify_pdf(signed).signatures
    assert report.intact and report.covers_document
    assert report.timestamped
    assert report.signing_time == token_time


class UnreachableTimeStamper(TimeStamper):
    """What HTTPTimeStamper raises when the TSA does not answer, without a network call."""

    async def async_request_tsa_response(self, req):
        raise TimestampRequestError("connection refused")


def test_an_unreachable_timestamp_authority_leaves_the_file_unsigned(company, contract_pdf):
    with pytest.raises(ApplicationError) as refused:
        sign_pdf(
            contract_pdf,
            identity=company[2],
            field_name="company",
            box=None,
            reason="甲方签署",
            timestamper=UnreachableTimeStamper(),
        )
    assert refused.value.code == "timestamp_unavailable"


def test_a_timestamper_exists_only_when_a_tsa_is_configured():
    assert local_timestamper(tsa_url=None) is None
    assert local_timestamper(tsa_url="") is None
    timestamper = local_timestamper(tsa_url="http://tsa.example.invalid/tsr")
    assert isinstance(timestamper, HTTPTimeStamper)
    assert timestamper.url == "http://tsa.example.invalid/tsr"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"field_name": "company", "box": None}, "signature_refused"),
        ({"field_name": "x", "box": SignatureBox(page=2, x1=50, y1=50, x2=200, y2=120)}, "signature_box_invalid"),
        ({"field_name": "x", "box": SignatureBox(page=-3, x1=50, y1=50, x2=200, y2=120)}, "signature_box_invalid"),
        ({"field_name": "x", "box": SignatureBox(page=0, x1=50, y1=50, x2=55, y2=120)}, "signature_box_invalid"),
        (
            {"field_name": "x", "box": SignatureBox(page=0, x1=50, y1=50, x2=200, y2=120), "image": b"no png"},
            "signature_image_invalid",
        ),
    ],
)
def test_signing_refuses_with_a_code(company, signed_once, arguments, code):
    with pytest.raises(ApplicationError) as refused:
        sign_pdf(signed_once, identity=company[2], reason="再签", **arguments)
    assert refused.value.code == code


def test_a_file_that_is_no_pdf_cannot_be_signed(company):
    with pytest.raises(ApplicationError) as refused:
        sign_pdf(b"not a pdf", identity=company[2], field_name="company", box=None, reason="甲方签署")
    assert refused.value.code == "pdf_invalid"


#
# The visible signature
#


def _box_pixels(pdf: bytes, box: SignatureBox, *, scale: float = 2) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    document.init_forms()  # signature appearances are form widgets: drawn only with forms initialised
    page = document[box.page % len(document)]
    height = page.get_height()
    image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
    page.close()
    document.close()
    return image.crop(
        (int(box.x1 * scale), int((height - box.y2) * scale), int(box.x2 * scale), int((height - box.y1) * scale))
    )


def _pixels(image: Image.Image):
    data = image.tobytes()
    return zip(data[0::3], data[1::3], data[2::3], strict=True)


def _ink(image: Image.Image) -> int:
    """Pixels that are not (nearly) white."""
    return sum(1 for pixel in _pixels(image) if min(pixel) < 200)


def _red(image: Image.Image) -> int:
    # The seal is (210, 20, 20); anti-aliased text has brownish fringes, never this saturated.
    return sum(1 for red, green, blue in _pixels(image) if red > 180 and green < 60 and blue < 60)


def test_the_visible_signatures_draw_the_seal_and_the_chinese_text(contract_pdf, signed_twice):
    # given
    blank = _box_pixels(contract_pdf, COMPANY_BOX)
    # when
    company_stamp = _box_pixels(signed_twice, COMPANY_BOX)
    customer_stamp = _box_pixels(signed_twice, CUSTOMER_BOX)
    company_stamp.save("/tmp/signing-stamp.png")
    # then the box was blank, and now holds the red seal and dark text; the customer's holds text only
    assert _ink(blank) == 0
    assert _red(company_stamp) > 1000
    # the seal's transparent corner shows the page: its alpha band was kept
    assert min(company_stamp.getpixel((12, 12))) > 240
    assert _ink(company_stamp) - _red(company_stamp) > 500
    assert _ink(customer_stamp) > 300
    assert _red(customer_stamp) == 0


def test_signing_and_verifying_work_inside_a_running_event_loop(company, contract_pdf):
    # pyHanko's asyncio.run() would refuse here (a Playwright-driven test, an ASGI view): the call moves off the loop
    async def inside():
        signed = sign_pdf(contract_pdf, identity=company[2], field_name="ours", box=None, reason="测试")
        return verify_pdf(signed)

    assert asyncio.run(inside()).is_valid
