"""Electronic signing of a contract (issue 13).

1. Our side signs (``sign_contract``, the 发起签署 move from 已审批): the contract's PDF signed with the company's
   certificate, the seal in our area, is version 1 (我方签署); the contract is 签署中.
2. The rep makes a signing link (``create_sign_link``): a random token (only its hash is kept), single use, expiring,
   optionally with a one-time code e-mailed to the contact.
3. The customer signs on the public page (``sign_by_link``): the final document is the contract's pages as approved
   plus a 签署记录 page, signed by the company and by a one-day certificate the company issues to the typed name;
   it is the next version (双方签署), the contract takes effect and is archived (``services.archive``).

What the signatures prove: see docs (the final report's design note) — the bytes are those Keshang produced and
signed, the customer's certificate was issued by our company to the name typed, nothing else."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.context import current_request
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.core.notifications import notify
from keshang.core.permissions import Action

from ..models import Contract, ContractDocument, ContractStatus, DocumentKind, SigningLink
from ..signing import SignatureBox, issue_signer_identity, local_timestamper, sha256_hex, sign_pdf
from .certificates import active_certificate, certificate_identity

__all__ = [
    "SIGN_IMAGE_MAX_BYTES",
    "sign_contract",
    "create_sign_link",
    "NewSignLink",
    "open_sign_link",
    "sign_by_link",
    "LinkUnavailable",
    "latest_document",
    "store_document",
    "remind_unused_links",
]

logger = logging.getLogger(__name__)
S = ContractStatus
SIGN_IMAGE_MAX_BYTES = 512 * 1024
OURS_FIELD = "KeshangOurs"
THEIRS_FIELD = "KeshangTheirs"


def _timestamper():
    return local_timestamper(tsa_url=getattr(settings, "KESHANG_TSA_URL", "") or None)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _request_origin() -> tuple[str | None, str]:
    context = current_request.get()
    if context is None:
        return None, ""
    return context.ip_address, (context.user_agent or "")[:300]


def latest_document(contract: Contract) -> ContractDocument | None:
    return ContractDocument.objects.filter(contract=contract).order_by("-version").first()


def store_document(
    *, contract: Contract, kind: str, content: bytes, actor, areas: dict | None = None, signer_name: str = "",
    signer_ip: str | None = None, signer_agent: str = "",
) -> ContractDocument:  # fmt: skip
    """A new version of the contract's file: never an overwrite. Call under the contract's row lock."""
    latest = latest_document(contract)
    version = (latest.version if latest else 0) + 1
    digest = sha256_hex(content)
    document = ContractDocument(
        contract=contract,
        version=version,
        kind=kind,
        sha256=digest,
        size=len(content),
        areas=areas or {},
        signer_name=signer_name[:100],
        signer_ip=signer_ip,
        signer_agent=signer_agent[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    document.file.save(f"{contract.pk}-v{version}-{digest[:12]}.pdf", ContentFile(content), save=False)
    document.full_clean()
    document.save()
    audit.record(
        actor=actor,
        obj=contract,
        action=AuditAction.UPDATE,
        after={},
        message=_("合同文件 v%(version)s（%(kind)s）SHA-256 %(sha)s")
        % {"version": version, "kind": document.get_kind_display(), "sha": digest},
    )
    return document


def _seal_image(company) -> bytes | None:
    seal = company.seal
    if seal is None or not seal.file:
        return None
    try:
        with seal.file.open("rb") as handle:
            return handle.read()
    except OSError:
        logger.warning("Seal image of company %s unreadable", company.pk)
        return None


def _box(area: dict) -> SignatureBox:
    return SignatureBox(page=area["page"], x1=area["x1"], y1=area["y1"], x2=area["x2"], y2=area["y2"])


def _area(area) -> dict:
    return {"page": area.page, "x1": area.x1, "y1": area.y1, "x2": area.x2, "y2": area.y2}


def _company_signature(pdf: bytes, *, contract: Contract, area: dict) -> bytes:
    certificate = active_certificate(contract.seller)
    identity = certificate_identity(certificate)
    label = _("（试用证书）") if certificate.is_trial else ""
    return sign_pdf(
        pdf,
        identity=identity,
        field_name=OURS_FIELD,
        box=_box(area),
        reason=_("%(company)s 签署合同 %(number)s%(trial)s")
        % {"company": contract.seller.name, "number": contract.number, "trial": label},
        image=_seal_image(contract.seller),
        text=f"{contract.seller.name}{label}",
        timestamper=_timestamper(),
    )


def sign_contract(*, actor, contract: Contract) -> Contract:
    """发起签署: our company signs the approved contract (version 1, 我方签署); the contract is 签署中."""
    from ..printing import contract_pdf
    from .contracts import CONTRACT_WORKFLOW, lock_contract

    with transaction.atomic():
        contract = lock_contract(contract, actor)
        CONTRACT_WORKFLOW.check(contract, to=S.SIGNING)
        before = audit.snapshot(contract)
        active_certificate(contract.seller)  # refuse before rendering anything
        rendered = contract_pdf(contract, user=actor)
        areas = {"ours": _area(rendered.ours), "theirs": _area(rendered.theirs)}
        signed = _company_signature(rendered.content, contract=contract, area=areas["ours"])
        ip, agent = _request_origin()
        store_document(
            contract=contract,
            kind=DocumentKind.OURS_SIGNED,
            content=signed,
            actor=actor,
            areas=areas,
            signer_name=getattr(actor, "name", "") or str(actor),
            signer_ip=ip,
            signer_agent=agent,
        )
        CONTRACT_WORKFLOW.move(contract, S.SIGNING, actor=actor, before=before, message=_("我方已电子签署"))
    return contract


#
# Signing links
#


@dataclass(frozen=True)
class NewSignLink:
    """A link as made: the token and the code exist here only, shown once to the rep."""

    link: SigningLink
    token: str
    code: str
    url: str


def link_days() -> int:
    return int(getattr(settings, "KESHANG_SIGN_LINK_DAYS", 7))


def create_sign_link(*, actor, contract: Contract, email: str = "", with_code: bool = False) -> NewSignLink:
    """A single-use link for the customer to sign the contract's current version (签署中 only)."""
    from .contracts import lock_contract

    email = (email or "").strip()
    if with_code and not email:
        message = _("发送验证码需要填写邮箱。")
        raise ApplicationError(message, code="email_required", fields={"email": [message]})
    with transaction.atomic():
        contract = lock_contract(contract, actor)
        if contract.status != S.SIGNING:
            raise ApplicationError(_("只有签署中的合同可以生成签署链接。"), code="not_signing")
        document = latest_document(contract)
        if document is None or document.kind != DocumentKind.OURS_SIGNED:
            raise ApplicationError(_("合同没有我方已签署的文件。"), code="no_document")
        token = secrets.token_urlsafe(32)
        code = f"{secrets.randbelow(10**6):06d}" if with_code else ""
        link = SigningLink(
            contract=contract,
            document=document,
            token_hash=_hash(token),
            code_hash=_hash(f"{token}:{code}") if code else "",
            email=email,
            expires_at=timezone.now() + datetime.timedelta(days=link_days()),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        link.full_clean()
        link.save()
        audit.record(actor=actor, obj=contract, action=AuditAction.UPDATE, after={}, message=_("生成签署链接"))
        url = _absolute(reverse("contract_sign", args=[token]))
        if email:
            subject = _("请签署合同 %(number)s") % {"number": contract.number}
            invitation = _("%(company)s 邀请您在线签署合同 %(number)s：") % {
                "company": contract.seller.name,
                "number": contract.number,
            }
            validity = _("链接 %(days)s 天内有效，仅可使用一次。") % {"days": link_days()}
            body = f"{invitation}\n{url}\n{validity}"
            if code:
                body += "\n" + _("验证码：%(code)s") % {"code": code}
            transaction.on_commit(lambda: _send_mail(subject, body, [email]))
    return NewSignLink(link=link, token=token, code=code, url=url)


def _absolute(path: str) -> str:
    base = getattr(settings, "KESHANG_BASE_URL", "") or ""
    return f"{base.rstrip('/')}{path}"


def _send_mail(subject: str, body: str, recipients: list[str]) -> None:
    from keshang.core.tasks import send_mail_task

    send_mail_task(subject=subject, body=body, recipients=recipients)


class LinkUnavailable(ApplicationError):
    """The link cannot be used: unknown, used or expired. Says nothing of the contract."""


def _find_link(token: str) -> SigningLink:
    # Unscoped: the link is its own credential; the token's hash picks the one row it opens.
    link = SigningLink.objects.unscoped().filter(token_hash=_hash(token or "")).first() if token else None
    if link is None:
        raise LinkUnavailable(_("签署链接无效。请联系发送链接的业务员。"), code="link_unknown")
    return link


def _check_usable(link: SigningLink) -> None:
    if link.used_at is not None or link.contract.status != S.SIGNING:
        raise LinkUnavailable(_("该签署链接已使用或已失效。"), code="link_used")
    if link.expires_at < timezone.now():
        raise LinkUnavailable(_("该签署链接已过期。请联系业务员重新发送。"), code="link_expired")


def open_sign_link(token: str) -> SigningLink:
    """The usable link of ``token`` (with its contract and document), or LinkUnavailable."""
    link = _find_link(token)
    _check_usable(link)
    return link


def sign_by_link(
    *, token: str, name: str, agreed: bool, image: bytes | None = None, code: str = "", ip: str | None = None,
    agent: str = "",
) -> ContractDocument:  # fmt: skip
    """The customer signs: under the contract's row lock, the link is used once, the final document (both sides'
    signatures) is stored, the contract takes effect and is archived; the owner is told."""
    from .archive import archive_contract
    from .contracts import effect_signed

    name = (name or "").strip()[:50]
    if not name:
        message = _("请填写签署人姓名。")
        raise ApplicationError(message, code="signer_name_required", fields={"name": [message]})
    if not agreed:
        message = _("请阅读并同意合同内容后再签署。")
        raise ApplicationError(message, code="not_agreed", fields={"agree": [message]})
    if image is not None:
        image = check_sign_image(image)
    link = _find_link(token)
    with transaction.atomic():
        contract = Contract.objects.unscoped().select_for_update().get(pk=link.contract_id)
        link = SigningLink.objects.unscoped().select_for_update().get(pk=link.pk)
        _check_usable(link)
        if link.code_hash and not hmac.compare_digest(link.code_hash, _hash(f"{token}:{(code or '').strip()}")):
            message = _("验证码错误。")
            raise ApplicationError(message, code="code_wrong", fields={"code": [message]})
        shown = link.document
        with shown.file.open("rb") as handle:
            shown_bytes = handle.read()
        now = timezone.now()
        link.used_at = now
        link.signer_name = name
        link.signer_ip = ip
        link.signer_agent = (agent or "")[:300]
        link.save(update_fields=["used_at", "signer_name", "signer_ip", "signer_agent"])
        final = _final_document(contract=contract, shown=shown, shown_bytes=shown_bytes, link=link, image=image)
        document = store_document(
            contract=contract,
            kind=DocumentKind.BOTH_SIGNED,
            content=final,
            actor=None,
            areas=shown.areas,
            signer_name=name,
            signer_ip=ip,
            signer_agent=agent,
        )
        effect_signed(contract=contract, actor=None, sign_date=timezone.localdate(now), message=_("对方已电子签署"))
        archive_contract(contract=contract, document=document, actor=None)
        owner_id = contract.owner_id
        contract_pk = contract.pk
        title = _("合同 %(number)s 已由对方签署（%(name)s），已生效并归档") % {"number": contract.number, "name": name}
        transaction.on_commit(lambda: _notify_owner(owner_id, contract_pk, title))
    return document


def _notify_owner(owner_id, contract_pk, title) -> None:
    from keshang.org.models import User

    owner = User.objects.filter(pk=owner_id).first()
    if owner is not None:
        notify(recipients=[owner], title=title, url=reverse("contracts:contract_detail", args=[contract_pk]))


def check_sign_image(data: bytes) -> bytes:
    """A drawn signature or a seal image: PNG or JPEG, at most SIGN_IMAGE_MAX_BYTES, readable by Pillow; as PNG."""
    from PIL import Image, UnidentifiedImageError

    message = _("签名图片须为 PNG 或 JPEG，且不超过 %(kb)s KB。") % {"kb": SIGN_IMAGE_MAX_BYTES // 1024}
    if not data or len(data) > SIGN_IMAGE_MAX_BYTES:
        raise ApplicationError(message, code="signature_image_invalid", fields={"image": [message]})
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in ("PNG", "JPEG") or probe.width * probe.height > 4_000_000:
                raise ApplicationError(message, code="signature_image_invalid", fields={"image": [message]})
            probe.load()
            out = BytesIO()
            probe.convert("RGBA").save(out, format="PNG")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ApplicationError(message, code="signature_image_invalid", fields={"image": [message]}) from error
    return out.getvalue()


#
# The final document
#


def _final_document(*, contract, shown: ContractDocument, shown_bytes: bytes, link: SigningLink, image) -> bytes:
    """The pages the customer was shown (without their signature widgets) plus a 签署记录 page, signed by our
    company (seal in our area) and by a certificate our company issues to the name the customer typed."""
    record = _record_page(contract=contract, shown=shown, link=link)
    merged = _merge(shown_bytes, record)
    signed = _company_signature(merged, contract=contract, area=shown.areas["ours"])
    company = certificate_identity(active_certificate(contract.seller))
    signer = issue_signer_identity(issuer=company, name=link.signer_name, organisation=contract.partner.name)
    return sign_pdf(
        signed,
        identity=signer,
        field_name=THEIRS_FIELD,
        box=_box(shown.areas["theirs"]),
        reason=_("%(partner)s %(name)s 签署合同 %(number)s")
        % {"partner": contract.partner.name, "name": link.signer_name, "number": contract.number},
        image=image,
        text=f"{contract.partner.name}\n{link.signer_name}",
        timestamper=_timestamper(),
    )


def _merge(pdf: bytes, extra: bytes) -> bytes:
    """The pages of ``pdf`` without annotations (the earlier signature's widget: the final document is signed again)
    and without its form, then the pages of ``extra``."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for source in (pdf, extra):
        for page in PdfReader(BytesIO(source)).pages:
            added = writer.add_page(page)
            if "/Annots" in added:
                del added["/Annots"]
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _record_page(*, contract, shown: ContractDocument, link: SigningLink) -> bytes:
    """签署记录: who signed for each side, when, from where, and the SHA-256 of the file they were shown."""
    from fpdf import FPDF

    from keshang.core.documents.printing import _font_path

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("noto", fname=_font_path())
    pdf.add_page()
    pdf.set_font("noto", size=16)
    pdf.cell(0, 12, _("签署记录"), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("noto", size=10)
    local = timezone.localtime
    rows = [
        (_("合同编号"), contract.number),
        (_("合同名称"), contract.title),
        (_("签署文件 SHA-256"), shown.sha256),
        ("", ""),
        (_("我方"), contract.seller.name),
        (_("我方签署人"), shown.signer_name),
        (_("我方签署时间"), f"{local(shown.created_at):%Y-%m-%d %H:%M:%S %Z}"),
        (_("我方签署 IP"), shown.signer_ip or "-"),
        (_("我方浏览器"), shown.signer_agent or "-"),
        ("", ""),
        (_("对方"), contract.partner.name),
        (_("对方签署人"), link.signer_name),
        (_("对方签署时间"), f"{local(link.used_at):%Y-%m-%d %H:%M:%S %Z}"),
        (_("对方签署 IP"), link.signer_ip or "-"),
        (_("对方浏览器"), link.signer_agent or "-"),
        (_("对方所见文件 SHA-256"), shown.sha256),
    ]
    for label, value in rows:
        pdf.set_x(pdf.l_margin)
        if not label:
            pdf.ln(4)
            continue
        pdf.cell(45, 7, label)
        # Left-aligned: fpdf2 justifies by default, which spreads a browser's user agent across the line.
        pdf.multi_cell(0, 7, str(value), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(
        0,
        6,
        _("本页由客商系统生成。双方签名均为 PDF 数字签名。")
        + _("我方签名使用我方公司证书；对方签名使用我方公司为对方签署人签发的一次性证书，")
        + _("证明签署人在上述时间通过单次有效的签署链接确认了上述文件。"),
        align="L",
    )
    return bytes(pdf.output())


def remind_unused_links(*, days: int | None = None, now: datetime.datetime | None = None) -> int:
    """The daily job: tell the creator of each link unused for ``days`` (KESHANG_SIGN_LINK_REMIND_DAYS, default 3)
    and still valid, once. Returns how many were reminded."""
    days = days if days is not None else int(getattr(settings, "KESHANG_SIGN_LINK_REMIND_DAYS", 3))
    now = now or timezone.now()
    # Unscoped: a job over every contract's links; each reminder goes to the link's own creator only.
    due = SigningLink.objects.unscoped().filter(
        used_at__isnull=True,
        reminded_at__isnull=True,
        expires_at__gt=now,
        created_at__lte=now - datetime.timedelta(days=days),
        created_by__isnull=False,
        contract__status=S.SIGNING,
    )
    count = 0
    for link in due.select_related("contract", "created_by"):
        with transaction.atomic():
            updated = (
                SigningLink.objects.unscoped().filter(pk=link.pk, reminded_at__isnull=True).update(reminded_at=now)
            )
            if not updated:
                continue
            notify(
                recipients=[link.created_by],
                title=_("合同 %(number)s 的签署链接已 %(days)s 天未使用")
                % {"number": link.contract.number, "days": days},
                url=reverse("contracts:contract_detail", args=[link.contract_id]),
            )
            count += 1
    return count


# The permission a rep needs on the contract to sign it or make a link (the move's).
SIGN_PERMISSION = Action.CHANGE
