"""Demo opportunities (``keshang demo``): about 60 over the demo customers, in every stage, with
competitors on some and a stage history reaching back up to six months."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from keshang.partners.models import Partner

from . import opportunities
from .models import Opportunity, OpportunityStage, OpportunityStageChange

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
