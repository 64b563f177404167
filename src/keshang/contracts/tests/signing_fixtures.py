"""The signing tests' certificates, contract PDF and signed copies (module-scoped: RSA key generation is the slow
part), shared through the package's conftest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from fpdf import FPDF
from PIL import Image, ImageDraw
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from keshang.contracts.signing import (
    SignatureBox,
    generate_trial_identity,
    issue_signer_identity,
    load_identity,
    sign_pdf,
)
from keshang.contracts.signing.pdfsign import _font_path

COMPANY = "上海客商贸易有限公司"
CREDIT_CODE = "91310000MA1FL0000X"
OURS = "我方公司：上海客商贸易有限公司"
COMPANY_BOX = SignatureBox(page=-1, x1=320, y1=80, x2=540, y2=170)
CUSTOMER_BOX = SignatureBox(page=-1, x1=50, y1=80, x2=270, y2=170)
STAMP_TEXT = "甲方：上海客商贸易有限公司\n签署人：王小明\n2026-03-01"


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def company():
    """(PKCS#12 bytes, password, identity): one RSA key for the module, as keygen is the slow part."""
    data, password = generate_trial_identity(company_name=COMPANY, credit_code=CREDIT_CODE)
    return data, password, load_identity(pkcs12=data, password=password)


@pytest.fixture(scope="module")
def contract_pdf() -> bytes:
    """Two A4 pages of Chinese text, uncompressed so a test can change one number in the page content."""
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_font("noto", fname=_font_path())
    pdf.set_font("noto", size=12)
    for number in (1, 2):
        pdf.add_page()
        pdf.cell(0, 10, f"购销合同 第{number}页：总价人民币壹万元整")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def seal_png() -> bytes:
    """A red ring on a transparent background, as a scanned company seal is."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), outline=(210, 20, 20, 255), width=14)
    draw.regular_polygon((120, 120, 40), n_sides=5, fill=(210, 20, 20, 255))
    output = BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


@pytest.fixture(scope="module")
def signed_once(company, contract_pdf, seal_png) -> bytes:
    return sign_pdf(
        contract_pdf,
        identity=company[2],
        field_name="company",
        box=COMPANY_BOX,
        reason="甲方签署",
        location="上海",
        image=seal_png,
        text=STAMP_TEXT,
    )


@pytest.fixture(scope="module")
def customer(company):
    return issue_signer_identity(issuer=company[2], name="李四", organisation="北京某某科技有限公司")


@pytest.fixture(scope="module")
def signed_twice(signed_once, customer) -> bytes:
    return sign_pdf(signed_once, identity=customer, field_name="customer", box=CUSTOMER_BOX, reason="乙方签署")


def _plain_pkcs12(*, password: str, organisational_unit: str = "销售部") -> bytes:
    """A self-made certificate without the trial label, as a company's IT department might make one."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "杭州某某有限公司"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organisational_unit),
            x509.NameAttribute(NameOID.COMMON_NAME, "杭州某某有限公司"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(
        name=None, key=key, cert=certificate, cas=None, encryption_algorithm=encryption
    )


def _append_update(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    change(writer)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()
