"""Partner reference lists every installation starts with, and ~200 demo partners."""

from __future__ import annotations

import random

from django.db import transaction
from faker import Faker

from keshang.core.models import Region
from keshang.org.models import User

from . import services
from .models import DecisionRole, Industry, Partner, PartnerLevel, PartnerSource, PartnerStatus, Tag

LEVELS = [("A", "A 类（重点）", 10), ("B", "B 类（重要）", 20), ("C", "C 类（普通）", 30), ("D", "D 类（潜力）", 40)]
INDUSTRIES = [
    "电子元器件", "机械设备", "五金工具", "化工原料", "塑料橡胶", "纺织服装", "食品饮料", "医药医疗",
    "建材家居", "汽车配件", "办公用品", "包装印刷", "农林牧渔", "能源环保", "仪器仪表", "日用百货",
    "信息技术", "物流运输", "贸易批发", "其他",
]  # fmt: skip
TAGS = ["重点客户", "长期合作", "需回访", "价格敏感", "大客户", "新客户"]
DEMO_PARTNERS = 200


def ensure_partner_classifications() -> None:
    """The A/B/C/D levels, 20 industries and a few tags, created when missing (idempotent)."""
    with transaction.atomic():
        for code, name, order in LEVELS:
            PartnerLevel.objects.get_or_create(code=code, defaults={"name": name, "order": order})
        for order, name in enumerate(INDUSTRIES):
            Industry.objects.get_or_create(name=name, defaults={"order": order})
        for name in TAGS:
            Tag.objects.get_or_create(name=name)


def load_partner_demo(*, actor, password_for, stdout) -> dict[str, str]:
    """About 200 partners owned by the demo reps and purchasers, some in the pool, with contacts."""
    if Partner.objects.exists():
        return {}
    ensure_partner_classifications()
    fake = Faker("zh_CN")
    fake.seed_instance(2027)
    rng = random.Random(2027)
    owners = list(User.objects.filter(username__in=["sales", "sales2", "manager"]))
    buyers = list(User.objects.filter(username="purchaser"))
    levels = list(PartnerLevel.objects.all())
    industries = list(Industry.objects.all())
    tags = list(Tag.objects.all())
    districts = list(Region.objects.filter(level="district").values_list("pk", flat=True)[:800])
    created = 0
    while created < DEMO_PARTNERS:
        supplier = created % 5 == 4
        owner_pool = buyers if supplier and buyers else owners
        in_pool = created % 10 == 7
        owner = None if in_pool or not owner_pool else rng.choice(owner_pool)
        data = {
            "name": fake.company(),
            "is_customer": not supplier,
            "is_supplier": supplier,
            "industry": rng.choice(industries),
            "level": rng.choice(levels),
            "status": rng.choice(PartnerStatus.values),
            "source": rng.choice(PartnerSource.values),
            "region_id": rng.choice(districts) if districts else None,
            "address": fake.street_address(),
            "phone": _mobile(rng),
            "email": fake.company_email(),
            "owner": owner,
            "department": owner.department if owner else None,
        }
        try:
            partner = services.create_partner(
                actor=actor, data=_known(data), tags=rng.sample(tags, k=rng.randint(0, 2))
            )
        except services.DuplicatePartnerError:
            continue
        for index in range(rng.randint(1, 3)):
            services.save_contact(
                actor=actor,
                partner=partner,
                data={
                    "name": fake.name(),
                    "title": rng.choice(["总经理", "采购经理", "财务主管", "技术工程师", "销售总监"]),
                    "decision_role": rng.choice(DecisionRole.values),
                    "mobile": _mobile(rng),
                    "email": fake.email(),
                    "is_primary": index == 0,
                },
            )
        created += 1
    return {}


def _mobile(rng: random.Random) -> str:
    """A valid Chinese mobile number (Faker's zh_CN numbers include ranges that are not allocated)."""
    return f"1{rng.choice(['38', '39', '58', '59', '86', '88'])}{rng.randrange(10**7, 10**8)}"


def _known(data: dict) -> dict:
    """``region_id`` is set by id (no Region fetch per row); the service takes the model field."""
    region_id = data.pop("region_id")
    if region_id:
        data["region"] = Region.objects.get(pk=region_id)
    return data
