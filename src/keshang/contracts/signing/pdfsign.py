"""PAdES signatures on contract PDFs (issue 13), through pyHanko.

Each signature is an incremental update: the bytes signed before stay as they were, so the company's signature
and the customer's follow each other and both stay valid. The signing time is the signature dictionary's /M,
inside the signed bytes: PAdES forbids the CMS signing-time attribute (ETSI EN 319 142-1, 5.4.2), and a
timestamp token, when a TSA is configured, proves the time to third parties (PAdES B-T)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pylopdf_fonts_zh_cn
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper, TimestampRequestError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from keshang.core.exceptions import ApplicationError

from .certificates import SigningIdentity
from .loops import outside_event_loop

__all__ = ["SignatureBox", "local_timestamper", "sha256_hex", "sign_pdf"]

logger = logging.getLogger(__name__)

FONT_SIZE = 10
# Points between the image and the text beside it, and around both.
GAP = 4
# A seal or a drawn signature needs no more pixels than this at the sizes a signature box has (~300 dpi at 2 in).
MAX_IMAGE_PIXELS = 800


@dataclass(frozen=True)
class SignatureBox:
    """Where a visible signature goes: a rectangle in PDF points, origin bottom-left, on a 0-based page (negative
    counts from the end: -1 is the last page)."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def local_timestamper(*, tsa_url: str | None) -> TimeStamper | None:
    """The time-stamping authority configured for this installation, or None: Keshang works offline, and then
    signatures are PAdES B-B with the signer's own clock."""
    return HTTPTimeStamper(tsa_url, timeout=10) if tsa_url else None


@outside_event_loop
def sign_pdf(
    pdf: bytes,
    *,
    identity: SigningIdentity,
    field_name: str,
    box: SignatureBox | None,
    reason: str,
    location: str = "",
    contact: str = "",
    image: bytes | None = None,
    text: str = "",
    timestamper: TimeStamper | None = None,
) -> bytes:
    """The PDF with one more signature, appended as an incremental update. Without ``box`` the signature is
    invisible; with it, its appearance shows ``image`` (a PNG seal or drawn signature) and ``text`` (lines,
    Chinese included), or the signer's name and the time when both are empty."""
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
    except (PdfError, ValueError, KeyError, TypeError) as error:
        raise ApplicationError(_("不是有效的 PDF 文件。"), code="pdf_invalid") from error
    if writer.prev.encrypted:
        raise ApplicationError(_("加密的 PDF 文件无法签署。"), code="pdf_encrypted")
    field_spec = None
    if box is not None:
        field_spec = fields.SigFieldSpec(
            sig_field_name=field_name, on_page=_page_index(writer, box.page), box=_rectangle(box)
        )
    # Set even without a box: a visible field already in the file gets this appearance, and pyHanko's default one
    # cannot write Chinese.
    stamp_style = _stamp_style(
        size=(abs(box.x2 - box.x1), abs(box.y2 - box.y1)) if box else None,
        image=_load_image(image) if image else None,
        # pyHanko fills in %(ts)s, the signing time; the caller's text is a parameter, never a template.
        stamp_text="%(text)s" if text or image else "%(name)s\n%(ts)s",
    )
    signer = signers.SimpleSigner(
        signing_cert=_asn1_certificate(identity.certificate),
        signing_key=_asn1_key(identity),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_certificate(cert) for cert in identity.chain]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        contact_info=contact or None,
    )
    pdf_signer = signers.PdfSigner(
        metadata, signer=signer, timestamper=timestamper, stamp_style=stamp_style, new_field_spec=field_spec
    )
    try:
        output = pdf_signer.sign_pdf(writer, appearance_text_params={"text": text, "name": identity.subject_name})
    except TimestampRequestError as error:
        logger.warning("Time-stamping authority unreachable: %s", error)
        raise ApplicationError(
            _("时间戳服务器无法访问，文件未签署，请稍后重试。"), code="timestamp_unavailable"
        ) from error
    except SigningError as error:
        # pyHanko's reason is English and technical: the log has it, the user a summary.
        logger.warning("Signing field %s refused: %s", field_name, error)
        raise ApplicationError(
            _("无法在签名域“%(field)s”签署：该域已有签名，或文件不允许再添加签名。") % {"field": field_name},
            code="signature_refused",
        ) from error
    return output.getvalue()


def _page_index(writer: IncrementalPdfFileWriter, page: int) -> int:
    count = int(writer.root["/Pages"]["/Count"])
    index = page + count if page < 0 else page
    if not 0 <= index < count:
        raise ApplicationError(
            _("签名位置的页码超出范围：文件共 %(count)d 页。") % {"count": count}, code="signature_box_invalid"
        )
    return index


def _rectangle(box: SignatureBox) -> tuple[int, int, int, int]:
    # pyHanko wants integers; the box is a form field's /Rect, where a point's fraction is invisible.
    left, right = sorted((round(box.x1), round(box.x2)))
    bottom, top = sorted((round(box.y1), round(box.y2)))
    if right - left < 10 or top - bottom < 10:
        raise ApplicationError(_("签名位置太小。"), code="signature_box_invalid")
    return left, bottom, right, top


def _load_image(data: bytes) -> Image.Image:
    try:
        image = Image.open(BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ApplicationError(_("签名图片无法读取，请上传 PNG 图片。"), code="signature_image_invalid") from error
    # RGBA whatever the source: palette PNGs keep their transparency, which pyHanko only reads from an alpha band.
    image = image.convert("RGBA")
    image.thumbnail((MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS))
    return image


def _stamp_style(*, size: tuple[float, float] | None, image: Image.Image | None, stamp_text: str) -> TextStampStyle:
    """The image at the left, as large as the box's height allows, and the text to its right; when the box is too
    narrow for both side by side (or its size is the existing field's, unknown here), the text goes over the
    image, as a name over a seal does on paper."""
    text_left = GAP
    background = PdfImage(image) if image is not None else None
    if image is not None and size is not None:
        width, height = size
        image_width = image.width * min((width - 2 * GAP) / image.width, (height - 2 * GAP) / image.height)
        if width - image_width - 3 * GAP >= width * 0.4:
            text_left = round(image_width + 2 * GAP)
    return TextStampStyle(
        stamp_text=stamp_text,
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(_font_path(), font_size=FONT_SIZE)),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins(left=text_left, right=GAP, top=GAP, bottom=GAP),
            inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
        ),
        timestamp_format="%Y-%m-%d %H:%M %Z",
        border_width=0,
        background=background,
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN if text_left > GAP else AxisAlignment.ALIGN_MID,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins.uniform(GAP),
            inner_content_scaling=InnerScaling.STRETCH_TO_FIT,
        ),
    )


def _font_path() -> str:
    # The font the printed documents use (core/documents/printing.py): Noto Sans SC, embedded and subset.
    return str(Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf")


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


def _asn1_key(identity: SigningIdentity) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(identity.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))
