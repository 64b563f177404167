"""E-sign providers (issue 13): how a contract is sent for the other party's signature and how the result comes
back. The built-in provider (``KESHANG_ESIGN_PROVIDER="builtin"``, the default) is Keshang's own signing link and
public page (``contracts.services.signing``).

Adding a third-party service (e签宝, 法大大, 契约锁 …): write a class with the two methods of :class:`SigningProvider`
in a module of its own (``contracts/signing/providers_<name>.py``), calling the vendor's SDK or HTTP API with the
credentials from settings, add it to :data:`PROVIDERS`, and store the signed PDF it returns with
``services.signing.store_document`` (kind 双方签署) before the contract takes effect. No such adapter ships here:
each needs a contract with the vendor and its sandbox to be written against and tested."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

__all__ = ["SendResult", "SigningStatus", "SigningProvider", "BuiltinProvider", "PROVIDERS", "get_provider"]


@dataclass(frozen=True)
class SendResult:
    """What sending for signature gave: the link to hand to the signer (shown once), when it expires."""

    reference: str
    url: str
    expires_at: object


@dataclass(frozen=True)
class SigningStatus:
    """Where the other party's signature stands: ``state`` is "pending", "signed" or "expired"; ``document`` the
    signed PDF once signed (the provider's final file), else None."""

    state: str
    document: bytes | None = None


class SigningProvider(Protocol):
    name: str

    def send_for_signing(self, *, actor, contract, email: str = "", with_code: bool = False) -> SendResult:
        """Ask the other party to sign the contract's current (our-signed) version."""

    def fetch_status(self, *, contract, reference: str) -> SigningStatus:
        """The state of a request made by :meth:`send_for_signing`."""


class BuiltinProvider:
    """Keshang's own signing: a single-use link to the public page; the result is stored when the signer submits."""

    name = "builtin"

    def send_for_signing(self, *, actor, contract, email: str = "", with_code: bool = False) -> SendResult:
        from keshang.contracts.services.signing import create_sign_link

        new = create_sign_link(actor=actor, contract=contract, email=email, with_code=with_code)
        return SendResult(reference=str(new.link.pk), url=new.url, expires_at=new.link.expires_at)

    def fetch_status(self, *, contract, reference: str) -> SigningStatus:
        from django.utils import timezone

        from keshang.contracts.models import ContractDocument, DocumentKind, SigningLink

        link = SigningLink.objects.unscoped().filter(pk=reference, contract=contract).first()
        if link is None or (link.used_at is None and link.expires_at < timezone.now()):
            return SigningStatus(state="expired")
        if link.used_at is None:
            return SigningStatus(state="pending")
        final = ContractDocument.objects.filter(contract=contract, kind=DocumentKind.BOTH_SIGNED).order_by("-version")
        document = final.first()
        with document.file.open("rb") as handle:
            return SigningStatus(state="signed", document=handle.read())


PROVIDERS: dict[str, type] = {"builtin": BuiltinProvider}


def get_provider() -> SigningProvider:
    name = getattr(settings, "KESHANG_ESIGN_PROVIDER", "builtin") or "builtin"
    try:
        return PROVIDERS[name]()
    except KeyError as error:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"Unknown KESHANG_ESIGN_PROVIDER {name!r}; known: {', '.join(PROVIDERS)}") from error
