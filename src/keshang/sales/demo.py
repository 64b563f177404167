"""Demo data of sales (``keshang demo`` runs the loaders registered in ``apps.py``), all written through the
services: about 60 opportunities in every stage with competitors and a stage history reaching back six months,
then about 160 orders and 60 quotations over the past 18 months (so analysis has history)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from keshang.catalog.lines.pricing import LineInput
from keshang.catalog.models import Product, ProductStatus
from keshang.partners.models import Partner

from .models import Opportunity, OpportunityStage, OpportunityStageChange, Quotation, QuotationStatus, SalesOrder
from .services import opportunities, orders, quotations

__all__ = ["load_opportunity_demo", "load_document_demo"]

DEMO_ORDERS = 160
DEMO_QUOTATIONS = 60
DEMO_OPPORTUNITIES = 60
PRODUCTS = [
    "数控机床", "包装设备", "电子元器件", "工业传感器", "办公家具",
    "LED 照明", "空压机", "仓储货架", "不锈钢管材", "实验仪器",
]  # fmt: skip
KINDS = ["年度采购", "新厂配套", "设备更新", "试用订单", "框架协议", "项目招标"]
SOURCES = ["展会", "老客户介绍", "官网咨询", "电话拜访", "招标公告", "渠道推荐"]
COMPETITORS = [
    ("恒通工贸", "报价低 5%", "价格优势明显", "交期不稳定"),
    ("华盛机电", "与我方持平", "本地服务网点多", "产品线较窄"),
    ("德诚科技", "高 8%", "品牌知名度高", "售后响应慢"),
    ("远航实业", "低 10%", "与客户关系好", "质量投诉较多"),
]
WON_REASONS = ["价格与交期都满足客户要求", "技术方案获得认可", "老客户续约"]
LOST_REASONS = ["价格高于竞争对手", "客户项目暂停", "交期无法满足"]


def load_opportunity_demo(*, actor, password_for, stdout) -> dict[str, str]:
    """Owned by the customers' owners; each walks the stages in order up to where it is now, with the
    history back-dated (the services stamp "now": only demo data needs the past)."""
    if Opportunity.objects.exists():
        return {}
    opportunities.ensure_default_stages()
    stages = list(OpportunityStage.objects.filter(is_active=True).order_by("order", "pk"))
    open_stages = [stage for stage in stages if not stage.is_won and not stage.is_lost]
    won = next((stage for stage in stages if stage.is_won), None)
    lost = next((stage for stage in stages if stage.is_lost), None)
    customers = list(Partner.objects.filter(is_customer=True, owner__isnull=False).select_related("owner"))
    if not customers or not open_stages or won is None:
        return {}
    rng = random.Random(2028)
    today = timezone.localdate()
    # A funnel's shape: more deals in the early stages than in the late ones; every stage gets one first.
    weights = [len(open_stages) - index + 2 for index in range(len(open_stages))] + [3, 2]
    targets = [*open_stages, won, lost or won]
    with transaction.atomic():
        for index in range(DEMO_OPPORTUNITIES):
            partner = rng.choice(customers)
            target = rng.choices(targets, weights=weights)[0] if index >= len(targets) else targets[index]
            closed = target.is_won or target.is_lost
            # Closed deals lie in the past six months, open ones close within the next three.
            close_date = today + datetime.timedelta(days=rng.randint(-180, -5) if closed else rng.randint(-20, 90))
            started = timezone.now() - datetime.timedelta(days=rng.randint(20, 180) if closed else rng.randint(5, 120))
            opportunity = opportunities.create_opportunity(
                actor=actor,
                data={
                    "name": f"{_short(partner)}{rng.choice(PRODUCTS)}{rng.choice(KINDS)}",
                    "partner": partner,
                    "owner": partner.owner,
                    "stage": open_stages[0],
                    "expected_amount": Decimal(rng.randrange(500_000, 80_000_001)) / 100,
                    "expected_close_date": close_date,
                    "source": rng.choice(SOURCES),
                },
                contacts=list(partner.contacts.all()[:1]),
            )
            path = (
                open_stages[: open_stages.index(target) + 1]
                if target in open_stages
                else _closing_path(open_stages, rng) + [target]
            )
            for stage in path[1:]:
                reason = ""
                if stage.is_won or stage.is_lost:
                    reason = rng.choice(WON_REASONS if stage.is_won else LOST_REASONS)
                opportunities.move_opportunity_stage(opportunity=opportunity, stage=stage, actor=actor, reason=reason)
            if index % 3 == 0:
                for name, offer, strengths, weaknesses in rng.sample(COMPETITORS, k=rng.randint(1, 2)):
                    opportunities.save_competitor(
                        actor=actor,
                        opportunity=opportunity,
                        data={"name": name, "offer": offer, "strengths": strengths, "weaknesses": weaknesses},
                    )
            _backdate(opportunity, started=started, closed=closed, close_date=close_date)
    stdout.write(f"商机：{DEMO_OPPORTUNITIES} 个\n")
    return {}


def _short(partner: Partner) -> str:
    """苏州明远精密机械有限公司 → 苏州明远精密机械: how people name the customer in a deal's title."""
    if partner.short_name:
        return partner.short_name
    for suffix in ("股份有限公司", "有限责任公司", "有限公司", "公司"):
        if partner.name.endswith(suffix):
            return partner.name.removesuffix(suffix)
    return partner.name


def _closing_path(open_stages: list[OpportunityStage], rng: random.Random) -> list[OpportunityStage]:
    return open_stages[: rng.randint(1, len(open_stages))]


def _backdate(opportunity: Opportunity, *, started: datetime.datetime, closed: bool, close_date) -> None:
    """Spread the stage changes from ``started`` to now (or to the close date for a closed deal)."""
    changes = list(OpportunityStageChange.objects.filter(opportunity=opportunity).order_by("pk"))
    end = (
        timezone.make_aware(datetime.datetime.combine(close_date, datetime.time(16, 0)))
        if closed
        else timezone.now() - datetime.timedelta(hours=1)
    )
    end = max(end, started + datetime.timedelta(days=len(changes)))
    step = (end - started) / max(len(changes), 1)
    for position, change in enumerate(changes):
        OpportunityStageChange.objects.filter(pk=change.pk).update(changed_at=started + step * position)
    Opportunity.objects.filter(pk=opportunity.pk).update(created_at=started, closed_at=end if closed else None)


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
            historic=True,
            lines=_lines(rng, products),
        )
        if index % 10 == 0:
            continue  # a few drafts
        order = orders.confirm_sales_order(actor=owner, order=order)
        if order.status != "confirmed" or order_date > today - datetime.timedelta(days=20):
            continue
        order = orders.sync_order_fulfilment(
            actor=owner, order=order, delivered={line.pk: line.quantity for line in order.lines.all()}
        )
        if rng.random() < 0.8:
            order = orders.sync_order_fulfilment(actor=owner, order=order, paid=order.gross_amount)
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
            historic=True,
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
