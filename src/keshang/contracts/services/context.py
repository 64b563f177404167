"""What a contract's template is filled from (issue 13): ``contract_context(contract, user=)`` builds the template
engine's :class:`~keshang.contracts.templating.ContractContext` from the records, as ``user`` may see them.

甲方 is the buyer: the customer on the sales kinds (销售合同, 框架协议), our company on the others (采购, 包装,
加工); 乙方 is the other side. The partner's sensitive values (phone, bank account number, contact phone) are
masked for a user without view_sensitive on them (``core.masking.Masker``); our own company's details are what
every print of ours shows (``Company.print_block``)."""

from __future__ import annotations

from keshang.core.masking import Masker
from keshang.partners.models import BankAccount, Contact, Partner

from ..models import Contract
from ..templating import ContractContext, LineContext, PartyContext, StageContext

__all__ = ["contract_context", "our_party", "their_party"]


def our_party(contract: Contract) -> PartyContext:
    company = contract.seller
    accounts = company.bank_accounts.order_by("-is_default", "pk")
    account = accounts.filter(currency=contract.currency).first() or accounts.first()
    signer = contract.our_signer
    return PartyContext(
        name=company.name,
        credit_code=company.credit_code or "",
        address=company.address,
        phone=company.phone,
        legal_representative=company.legal_representative,
        signer=(signer.get_full_name() or signer.get_username()) if signer else "",
        contact=(signer.get_full_name() or signer.get_username()) if signer else "",
        bank_name=account.bank_name if account else "",
        bank_account=account.account_number if account else "",
    )


def their_party(contract: Contract, *, user) -> PartyContext:
    partner = contract.partner
    account = partner.bank_accounts.order_by("-is_default", "pk").first()
    contact = contract.contact
    contact_text = ""
    if contact is not None:
        phone = Masker(user, Contact).value(contact, "mobile") or Masker(user, Contact).value(contact, "phone")
        contact_text = f"{contact.name} {phone}".strip()
    return PartyContext(
        name=partner.name,
        credit_code=partner.credit_code or "",
        address=partner.address,
        phone=Masker(user, Partner).value(partner, "phone") or "",
        legal_representative="",
        signer=contract.partner_signer or (contact.name if contact else ""),
        contact=contact_text,
        bank_name=account.bank_name if account else "",
        bank_account=Masker(user, BankAccount).value(account, "account_number") if account else "",
    )


def contract_context(contract: Contract, *, user) -> ContractContext:
    """The contract as its template prints it for ``user`` (masked values masked)."""
    ours, theirs = our_party(contract), their_party(contract, user=user)
    party_a, party_b = (theirs, ours) if contract.is_sales else (ours, theirs)
    lines = [
        LineContext(
            product_code=line.product.code,
            product_name=line.product.name + (f" {line.description}" if line.description else ""),
            spec=line.product.specification,
            unit=line.unit.name,
            quantity=line.quantity,
            unit_price_gross=line.unit_price_gross,
            unit_price_net=line.unit_price_net,
            vat_rate=line.vat_rate,
            discount_percent=line.discount_percent,
            net_amount=line.net_amount,
            tax_amount=line.tax_amount,
            gross_amount=line.gross_amount,
        )
        for line in contract.lines.select_related("product", "unit").order_by("position", "pk")
    ]
    stages = [
        StageContext(
            name=stage.name,
            percent=stage.percent,
            amount=stage.amount,
            trigger_label=str(stage.get_trigger_display()),
            days=stage.days,
            working_days=stage.working_days,
            due_date=stage.due_date or stage.fixed_date,
        )
        for stage in contract.payment_stages.order_by("position", "pk")
    ]
    return ContractContext(
        number=contract.number or "",
        title=contract.title,
        kind_label=str(contract.get_kind_display()),
        sign_date=contract.sign_date,
        effective_date=contract.effective_date,
        end_date=contract.end_date,
        currency=contract.currency,
        net_amount=contract.net_amount,
        tax_amount=contract.tax_amount,
        gross_amount=contract.gross_amount,
        party_a=party_a,
        party_b=party_b,
        lines=lines,
        stages=stages,
        delivery_terms=contract.delivery_terms,
        notes=contract.notes,
        sign_place=contract.sign_place,
    )
