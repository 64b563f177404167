"""Default approval flows every installation starts with, and demo quotations and orders spread over the past
18 months (so analysis has history), all written through the services."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from keshang.catalog.models import Product, ProductStatus
from keshang.core.models import ApprovalFlow, ApprovalStep, ApproverKind
from keshang.partners.models import Partner

from . import orders, quotations
from .documents import LineInput
from .models import Quotation, QuotationStatus, SalesOrder

__all__ = ["ensure_default_flows", "load_document_demo"]

DEMO_ORDERS = 160
DEMO_QUOTATIONS = 60
DEFAULT_FLOWS = (
    # name, document type, conditions, steps (name, kind, levels up)
    ("报价低于最低售价", "sales.quotation", {"below_min_price": True, "priority": 10}, (("销售经理审批", 1),)),
    (
        "报价折扣超过 15%",
        "sales.quotation",
        {"min_discount_percent": Decimal("15"), "priority": 20},
        (("销售经理审批", 1),),
    ),
    (
        "大额订单（10 万元及以上）",
        "sales.salesorder",
        {"min_amount": Decimal("100000"), "priority": 10},
        (("销售经理审批", 1), ("总经理审批", 2)),
    ),
)


def ensure_default_flows() -> None:
    """The three flows issue 4 names, created for a document type that has no flow yet (idempotent: an
    administrator's own flows are never touched)."""
    configured = set(ApprovalFlow.objects.values_list("document_type", flat=True))
    with transaction.atomic():
        for name, document_type, conditions, steps in DEFAULT_FLOWS:
            if document_type in configured:
                continue
            flow = ApprovalFlow.objects.create(name=name, document_type=document_type, **conditions)
            for order, (step_name, levels_up) in enumerate(steps, start=1):
                ApprovalStep.objects.create(
                    flow=flow, order=order, name=step_name, kind=ApproverKind.MANAGER, levels_up=levels_up
                )


def _lines(rng: random.Random, products: list[Product]) -> list[LineInput]:
    chosen = rng.sample(products, k=min(len(products), rng.randint(1, 5)))
    lines = []
    for product in chosen:
        quantity = Decimal(rng.choice((1, 2, 5, 10, 20, 50, 100)))
        typed = None
        if product.list_price >= 10 and rng.random() < 0.3:
            # Some reps type a rounded tax-inclusive price a little under the list price.
            typed = (product.list_price * Decimal(rng.choice(("0.98", "0.95", "0.92")))).quantize(Decimal("0.1"))
        discount = Decimal(rng.choice((0, 0, 0, 2, 5)))
        lines.append(LineInput(product=product, quantity=quantity, unit_price=typed, discount_percent=discount))
    return lines


def load_document_demo(*, actor, password_for, stdout) -> dict[str, str]:
    """~160 orders (most confirmed, some delivered and paid) and ~60 quotations in every state, over 18 months."""
    if Quotation.objects.exists() or SalesOrder.objects.exists():
        return {}
    rng = random.Random(20261124)
    products = list(Product.objects.filter(status=ProductStatus.ACTIVE, list_price__gt=0))
    # The demo acts for the owners of existing customers, across every department.
    partners = list(Partner.objects.unscoped().filter(is_customer=True, owner__isnull=False).select_related("owner"))
    if not products or not partners:
        return {}
    today = timezone.localdate()
    for index in range(DEMO_ORDERS):
        partner = rng.choice(partners)
        owner = partner.owner
        order_date = today - datetime.timedelta(days=rng.randint(0, 540))
        order = orders.create_sales_order(
            actor=owner,
            data={"partner": partner, "order_date": order_date, "payment_terms": "月结30天"},
            lines=_lines(rng, products),
        )
        if index % 10 == 0:
            continue  # a few drafts
        order = orders.confirm_sales_order(actor=owner, order=order)
        if order.status != "confirmed" or order_date > today - datetime.timedelta(days=20):
            continue
        order = orders.record_delivery(
            actor=owner, order=order, quantities={line.pk: line.quantity for line in order.lines.all()}
        )
        if rng.random() < 0.8:
            order = orders.record_payment(actor=owner, order=order, amount=order.gross_amount)
            if rng.random() < 0.5:
                orders.close_sales_order(actor=owner, order=order)
    moves = (
        [],
        ["submit"],
        ["submit", "send"],
        ["submit", "send", "accept"],
        ["submit", "send", "reject"],
    )
    for _index in range(DEMO_QUOTATIONS):
        partner = rng.choice(partners)
        owner = partner.owner
        quote_date = today - datetime.timedelta(days=rng.randint(0, 60))
        quotation = quotations.create_quotation(
            actor=owner,
            data={"partner": partner, "quote_date": quote_date, "payment_terms": "款到发货"},
            lines=_lines(rng, products),
        )
        for move in rng.choice(moves):
            if move == "submit":
                quotation = quotations.submit_quotation(actor=owner, quotation=quotation)
            elif quotation.status == QuotationStatus.APPROVED and move == "send":
                quotation = quotations.mark_quotation_sent(actor=owner, quotation=quotation)
            elif quotation.status == QuotationStatus.SENT and move == "accept":
                quotation = quotations.accept_quotation(actor=owner, quotation=quotation)
            elif quotation.status == QuotationStatus.SENT and move == "reject":
                quotation = quotations.reject_quotation(actor=owner, quotation=quotation, reason="价格偏高")
    quotations.expire_quotations(on=today)
    stdout.write(f"销售订单 {SalesOrder.objects.count()} 张，报价单 {Quotation.objects.count()} 张")
    return {}
