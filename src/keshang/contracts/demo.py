"""Demo data of contracts (``keshang demo`` runs the loaders registered in ``apps.py``), written through the
services: sales, purchase, packing and processing contracts and framework agreements with call-off orders, in
every state a contract passes through — signed electronically with the company's trial certificate, archived,
amended — with structured payment stages, over the past year."""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal

from django.utils import timezone

from keshang.catalog.lines.pricing import LineInput
from keshang.catalog.models import Product, ProductStatus
from keshang.core.approvals import decide_approval, get_pending_request
from keshang.core.models import ApprovalTaskStatus
from keshang.org.services import ensure_default_company
from keshang.partners.models import Partner

from . import services
from .models import CompanyCertificate, Contract, ContractKind, StageTrigger
from .services import StageInput

__all__ = ["load_contract_demo"]

# The states a demo contract is taken to, in the order of the workflow (each step a service call).
PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "approved": ["submit"],
    "signing": ["submit", "esign"],
    "signed": ["submit", "esign", "link"],
    "amended": ["submit", "sign", "amend"],
    "effective": ["submit", "sign"],
    "executing": ["submit", "sign", "order"],
    "completed": ["submit", "sign", "order", "complete"],
    "terminated": ["submit", "sign", "terminate"],
    "expired": ["submit", "expire"],
}
SALES_TITLES = ["年度供货合同", "设备采购合同", "备件框架供货", "新厂配套项目合同", "技术服务与供货合同"]
PURCHASE_TITLES = {
    ContractKind.PURCHASE: "原材料采购合同",
    ContractKind.PACKING: "包装材料定制合同",
    ContractKind.PROCESSING: "委外加工合同",
}


def _stages(rng: random.Random) -> list[StageInput]:
    """The shapes trading companies use: 30/70, 30/60/10 with a retention, or all on delivery."""
    return rng.choice(
        [
            [
                StageInput(name="预付款", percent=Decimal("30"), days=5, working_days=True),
                StageInput(name="发货款", percent=Decimal("70"), trigger=StageTrigger.AFTER_SHIPMENT, days=30),
            ],
            [
                StageInput(name="预付款", percent=Decimal("30"), days=7),
                StageInput(name="到货款", percent=Decimal("60"), trigger=StageTrigger.AFTER_RECEIPT, days=15),
                StageInput(name="质保金", percent=Decimal("10"), trigger=StageTrigger.AFTER_ACCEPTANCE, days=365),
            ],
            [StageInput(name="货到付款", percent=Decimal("100"), trigger=StageTrigger.AFTER_RECEIPT, days=10)],
        ]
    )


def _lines(rng: random.Random, products: list, *, priced: bool) -> list[LineInput]:
    chosen = rng.sample(products, k=min(len(products), rng.randint(1, 4)))
    return [
        LineInput(
            product=product,
            quantity=Decimal(rng.choice([2, 5, 10, 20, 50])),
            # Our purchase prices: below the selling price, typed as a purchaser would.
            unit_price=(product.list_price * Decimal("0.62")).quantize(Decimal("0.01")) if priced else None,
        )
        for product in chosen
    ]


def _big_lines(products: list) -> list[LineInput]:
    """About ¥600,000: over the default flow's ¥500,000, so it waits for the manager (审批中)."""
    product = max(products, key=lambda item: item.list_price)
    return [LineInput(product=product, quantity=Decimal(math.ceil(600_000 / product.list_price)))]


def _approve(contract: Contract) -> Contract:
    """Every approver of the contract's pending request approves, as they would from 待我审批."""
    request = get_pending_request(contract)
    while request is not None:
        task = request.tasks.filter(status=ApprovalTaskStatus.PENDING).order_by("pk").first()
        if task is None:
            break
        decide_approval(task=task, actor=task.approver, decision="approve", comment="同意")
        request = get_pending_request(contract)
    contract.refresh_from_db()
    return contract


def _walk(contract: Contract, path: list[str], *, owner, today: datetime.date) -> Contract:
    for index, step in enumerate(path):
        if step == "submit":
            contract = services.submit_contract(actor=owner, contract=contract)
            if index < len(path) - 1:
                # Further along than 审批中: the flows the setup made (amount, margin, payment terms) approve it.
                contract = _approve(contract)
        elif step == "esign" and contract.status == "approved":
            contract = services.sign_contract(actor=owner, contract=contract)
        elif step == "link" and contract.status == "signing":
            # The customer signs through the link as on the public page (a drawn signature is optional).
            link = services.create_sign_link(actor=owner, contract=contract)
            services.sign_by_link(token=link.token, name="王建国", agreed=True, ip="203.0.113.8", agent="演示数据")
            contract.refresh_from_db()
        elif step == "amend" and contract.status == "effective":
            amendment = services.amend_contract(actor=owner, contract=contract)
            _approve(services.submit_contract(actor=owner, contract=amendment))
            contract.refresh_from_db()
        elif step == "sign" and contract.status == "approved":
            contract = services.record_signed(actor=owner, contract=contract, sign_date=contract.sign_date)
        elif step == "order" and contract.kind == ContractKind.SALES and contract.status == "effective":
            services.create_order_from_contract(actor=owner, contract=contract)
            contract.refresh_from_db()
        elif step == "complete" and contract.status in ("effective", "executing"):
            contract = services.complete_contract(actor=owner, contract=contract)
        elif step == "terminate" and contract.status == "effective":
            contract = services.terminate_contract(actor=owner, contract=contract, reason="客户项目取消，双方协商终止")
    if "expire" in path:
        services.expire_contracts(today=today)
    return contract


def load_contract_demo(*, actor, password_for, stdout) -> dict[str, str]:
    if Contract.objects.unscoped().exists():
        return {}
    rng = random.Random(20261208)
    products = list(Product.objects.filter(status=ProductStatus.ACTIVE, list_price__gt=0))
    people = Partner.objects.unscoped().filter(owner__isnull=False).select_related("owner")
    customers = list(people.filter(is_customer=True))
    suppliers = list(people.filter(is_supplier=True))
    if not products or not customers:
        return {}
    today = timezone.localdate()
    company = ensure_default_company()
    if company is not None and not CompanyCertificate.objects.filter(company=company, is_active=True).exists():
        # A trial certificate (self-signed, labelled so wherever it shows), so the demo's contracts can be signed.
        services.generate_trial_certificate(actor=None, company=company)
    for index, (state, path) in enumerate([*PATHS.items(), *PATHS.items()]):
        partner = rng.choice(customers)
        sign_date = today - datetime.timedelta(days=rng.randint(5, 300))
        end_date = sign_date + datetime.timedelta(days=365)
        if state == "expired":
            sign_date, end_date = today - datetime.timedelta(days=400), today - datetime.timedelta(days=35)
        contract = services.create_contract(
            actor=partner.owner,
            data={
                "partner": partner,
                "title": f"{partner.name} {SALES_TITLES[index % len(SALES_TITLES)]}",
                "sign_date": sign_date,
                "end_date": end_date,
                "sign_place": "上海",
                "delivery_terms": "送货上门，运费由乙方承担",
            },
            lines=_big_lines(products) if state == "submitted" else _lines(rng, products, priced=False),
            stages=_stages(rng),
            historic=True,
        )
        _walk(contract, path, owner=partner.owner, today=today)
    for kind, title in PURCHASE_TITLES.items():
        for state in ("draft", "effective", "completed"):
            if not suppliers:
                break
            partner = rng.choice(suppliers)
            contract = services.create_contract(
                actor=partner.owner,
                data={
                    "kind": kind,
                    "partner": partner,
                    "title": f"{partner.name} {title}",
                    "sign_date": today - datetime.timedelta(days=rng.randint(5, 200)),
                },  # fmt: skip
                lines=_lines(rng, products, priced=True),
                stages=_stages(rng),
                historic=True,
            )
            _walk(contract, PATHS[state], owner=partner.owner, today=today)
    for capped in (True, False):
        partner = rng.choice(customers)
        framework = services.create_contract(
            actor=partner.owner,
            data={"kind": ContractKind.FRAMEWORK, "partner": partner, "capped": capped,
                  "title": f"{partner.name} {'年度限额' if capped else '年度'}框架协议",
                  "sign_date": today - datetime.timedelta(days=60), "end_date": today + datetime.timedelta(days=300)},
            lines=_lines(rng, products, priced=False),
            stages=[StageInput(name="按次结算", percent=Decimal("100"), trigger=StageTrigger.AFTER_INVOICE, days=30)],
            historic=True,
        )  # fmt: skip
        framework = _walk(framework, ["submit", "sign"], owner=partner.owner, today=today)
        for line in framework.lines.all()[:2]:
            quantity = (line.quantity / 4).quantize(Decimal("1")) or Decimal("1")
            call = [LineInput(product=line.product, quantity=quantity, unit=line.unit)]
            services.call_off(actor=partner.owner, contract=framework, lines=call)
    stdout.write(f"合同 {Contract.objects.unscoped().count()} 份")
    return {}
