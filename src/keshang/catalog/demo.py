"""Units every installation starts with, and the demo catalog: a two-level category tree, brands, ~60
products with 箱 conversions, level prices, quantity breaks and a few customer prices."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from keshang.core.money import quantize_price
from keshang.partners.demo import ensure_partner_classifications
from keshang.partners.models import Partner, PartnerLevel

from . import services
from .models import PriceRuleKind, Product, ProductCategory, Unit

DEFAULT_UNITS = ["个", "件", "箱", "台", "套", "千克", "米", "包", "瓶", "盒"]

# (code, name, children as (code, name))
CATEGORIES = [
    ("ELEC", "电子元器件", [("ELEC-R", "电阻"), ("ELEC-C", "电容"), ("ELEC-IC", "集成电路")]),
    ("OFFICE", "办公用品", [("OFFICE-P", "纸品"), ("OFFICE-W", "书写工具")]),
    ("HW", "五金工具", [("HW-HAND", "手动工具"), ("HW-FAST", "紧固件")]),
    ("PACK", "包装材料", []),
]
BRANDS = ["国巨", "风华高科", "村田", "得力", "晨光", "世达"]

# category code, brand, name, spec, base unit, (box unit, per box) or None, list price, VAT rate
PRODUCTS = [
    ("ELEC-R", "国巨", "贴片电阻", "0603 10KΩ ±1%", "个", ("盒", 5000), "0.012", "0.13"),
    ("ELEC-R", "国巨", "贴片电阻", "0603 1KΩ ±1%", "个", ("盒", 5000), "0.012", "0.13"),
    ("ELEC-R", "国巨", "贴片电阻", "0805 4.7KΩ ±1%", "个", ("盒", 5000), "0.015", "0.13"),
    ("ELEC-R", "风华高科", "贴片电阻", "1206 100Ω ±5%", "个", ("盒", 5000), "0.02", "0.13"),
    ("ELEC-R", "风华高科", "贴片电阻", "0402 0Ω", "个", ("盒", 10000), "0.006", "0.13"),
    ("ELEC-R", "风华高科", "插件电阻", "1/4W 10KΩ 金属膜", "个", ("包", 1000), "0.03", "0.13"),
    ("ELEC-R", None, "水泥电阻", "5W 10Ω", "个", ("盒", 200), "0.85", "0.13"),
    ("ELEC-R", None, "可调电位器", "3296W 10KΩ", "个", ("盒", 100), "1.20", "0.13"),
    ("ELEC-C", "村田", "贴片电容", "0603 100nF 50V X7R", "个", ("盒", 4000), "0.03", "0.13"),
    ("ELEC-C", "村田", "贴片电容", "0805 10uF 25V X5R", "个", ("盒", 4000), "0.18", "0.13"),
    ("ELEC-C", "风华高科", "贴片电容", "0402 1nF 50V", "个", ("盒", 10000), "0.008", "0.13"),
    ("ELEC-C", "风华高科", "铝电解电容", "470uF 25V 8×12", "个", ("包", 500), "0.35", "0.13"),
    ("ELEC-C", None, "钽电容", "A型 10uF 16V", "个", ("盒", 2000), "0.60", "0.13"),
    ("ELEC-C", "村田", "安规电容", "X2 0.1uF 275VAC", "个", ("包", 500), "0.55", "0.13"),
    ("ELEC-IC", None, "单片机", "STM32F103C8T6 LQFP48", "个", ("盒", 250), "12.50", "0.13"),
    ("ELEC-IC", None, "运算放大器", "LM358 SOP8", "个", ("盒", 2500), "0.65", "0.13"),
    ("ELEC-IC", None, "稳压芯片", "AMS1117-3.3 SOT223", "个", ("盒", 2500), "0.45", "0.13"),
    ("ELEC-IC", None, "USB转串口芯片", "CH340G SOP16", "个", ("盒", 1000), "2.80", "0.13"),
    ("ELEC-IC", None, "存储芯片", "W25Q64 SOP8", "个", ("盒", 1000), "3.60", "0.13"),
    ("ELEC-IC", None, "光耦", "PC817 DIP4", "个", ("盒", 1000), "0.28", "0.13"),
    ("OFFICE-P", "得力", "复印纸", "A4 70g 500张/包", "包", ("箱", 8), "22.00", "0.13"),
    ("OFFICE-P", "得力", "复印纸", "A4 80g 500张/包", "包", ("箱", 5), "27.00", "0.13"),
    ("OFFICE-P", "得力", "复印纸", "A3 80g 500张/包", "包", ("箱", 5), "54.00", "0.13"),
    ("OFFICE-P", "晨光", "便利贴", "76×76mm 黄色 100张", "本", ("盒", 12), "3.50", "0.13"),
    ("OFFICE-P", "晨光", "笔记本", "A5 无线装订 80页", "本", ("箱", 40), "6.80", "0.13"),
    ("OFFICE-P", "得力", "凭证纸", "240×140mm 500张", "包", ("箱", 20), "18.00", "0.13"),
    ("OFFICE-P", "得力", "收据", "二联 无碳复写 50组", "本", ("箱", 100), "4.20", "0.13"),
    ("OFFICE-P", None, "热敏打印纸", "57×50mm", "卷", ("箱", 100), "1.60", "0.13"),
    ("OFFICE-W", "晨光", "中性笔", "0.5mm 黑色 按动", "支", ("盒", 12), "2.50", "0.13"),
    ("OFFICE-W", "晨光", "中性笔", "0.5mm 红色 按动", "支", ("盒", 12), "2.50", "0.13"),
    ("OFFICE-W", "晨光", "中性笔芯", "0.5mm 黑色", "支", ("盒", 20), "0.90", "0.13"),
    ("OFFICE-W", "得力", "白板笔", "可擦 黑色", "支", ("盒", 10), "3.00", "0.13"),
    ("OFFICE-W", "得力", "记号笔", "双头 油性 黑色", "支", ("盒", 10), "2.20", "0.13"),
    ("OFFICE-W", "晨光", "荧光笔", "6色套装", "套", ("箱", 48), "9.90", "0.13"),
    ("OFFICE-W", "得力", "订书机", "12号 省力型", "台", ("箱", 24), "18.50", "0.13"),
    ("OFFICE-W", "得力", "订书钉", "24/6 1000枚", "盒", ("箱", 100), "1.80", "0.13"),
    ("HW-HAND", "世达", "棘轮扳手", '1/2" 72齿', "把", ("箱", 12), "86.00", "0.13"),
    ("HW-HAND", "世达", "组合套筒", '1/2" 24件套', "套", ("箱", 6), "268.00", "0.13"),
    ("HW-HAND", "世达", "十字螺丝刀", "PH2×150mm", "把", ("盒", 12), "15.80", "0.13"),
    ("HW-HAND", "世达", "一字螺丝刀", "6×150mm", "把", ("盒", 12), "14.80", "0.13"),
    ("HW-HAND", "世达", "尖嘴钳", "6寸", "把", ("箱", 24), "32.00", "0.13"),
    ("HW-HAND", "世达", "斜口钳", "6寸", "把", ("箱", 24), "35.00", "0.13"),
    ("HW-HAND", "世达", "卷尺", "5m×19mm", "个", ("箱", 48), "19.90", "0.13"),
    ("HW-HAND", None, "内六角扳手", "公制 9件套", "套", ("箱", 50), "22.00", "0.13"),
    ("HW-HAND", None, "电烙铁", "60W 恒温 936", "台", ("箱", 10), "128.00", "0.13"),
    ("HW-FAST", None, "不锈钢螺丝", "M3×8 十字盘头 304", "个", ("包", 1000), "0.05", "0.13"),
    ("HW-FAST", None, "不锈钢螺丝", "M4×12 十字盘头 304", "个", ("包", 1000), "0.08", "0.13"),
    ("HW-FAST", None, "内六角螺栓", "M6×20 12.9级 发黑", "个", ("包", 500), "0.22", "0.13"),
    ("HW-FAST", None, "六角螺母", "M6 304", "个", ("包", 1000), "0.06", "0.13"),
    ("HW-FAST", None, "平垫圈", "M6 304", "个", ("包", 1000), "0.03", "0.13"),
    ("HW-FAST", None, "弹簧垫圈", "M6 304", "个", ("包", 1000), "0.03", "0.13"),
    ("HW-FAST", None, "膨胀螺栓", "M8×80 镀锌", "套", ("盒", 50), "0.95", "0.13"),
    ("HW-FAST", None, "自攻螺钉", "ST4.2×19 十字沉头", "个", ("包", 1000), "0.04", "0.13"),
    ("PACK", None, "纸箱", "五层 400×300×300mm", "个", ("包", 20), "4.80", "0.13"),
    ("PACK", None, "封箱胶带", "48mm×100m 透明", "卷", ("箱", 36), "6.50", "0.13"),
    ("PACK", None, "气泡膜", "宽50cm×长80m", "卷", None, "38.00", "0.13"),
    ("PACK", None, "缠绕膜", "宽50cm 2.5kg", "卷", ("箱", 6), "32.00", "0.13"),
    ("PACK", None, "防静电袋", "150×200mm", "个", ("包", 100), "0.20", "0.13"),
    ("PACK", None, "托盘", "1200×1000mm 木质 熏蒸", "个", None, "85.00", "0.09"),
    ("PACK", None, "打包带", "PP 15mm 10kg", "卷", None, "58.00", "0.09"),
]

# Services sold alongside the goods, at the 6% rate for modern services.
SERVICES = [
    ("SVC-INSTALL", "安装调试服务", "按次", "次", "500.00", "0.06"),
    ("SVC-TEST", "来料检测服务", "按批", "批", "300.00", "0.06"),
]

LEVEL_DISCOUNTS = {"A": Decimal("0.90"), "B": Decimal("0.95"), "C": Decimal("0.98")}


def ensure_default_units() -> None:
    """The common units, created when missing (idempotent: runs on every `keshang setup`)."""
    existing = set(Unit.objects.values_list("name", flat=True))
    with transaction.atomic():
        for name in DEFAULT_UNITS:
            if name not in existing:
                services.save_unit(actor=None, data={"name": name})


def _unit(name: str) -> Unit:
    unit = Unit.objects.filter(name=name).first()
    return unit or services.save_unit(actor=None, data={"name": name})


def load_catalog_demo(*, actor, password_for, stdout) -> dict[str, str]:
    """Categories, brands, ~60 products with prices and rules. Runs after the partners' loader (order 30)."""
    if Product.objects.exists():
        return {}
    ensure_default_units()
    ensure_partner_classifications()
    categories: dict[str, ProductCategory] = {}
    for code, name, children in CATEGORIES:
        parent = services.save_category(actor=actor, data={"code": code, "name": name})
        categories[code] = parent
        for child_code, child_name in children:
            categories[child_code] = services.save_category(
                actor=actor, data={"code": child_code, "name": child_name, "parent": parent}
            )
    brands = {name: services.save_brand(actor=actor, data={"name": name}) for name in BRANDS}
    levels = {level.code: level for level in PartnerLevel.objects.filter(code__in=LEVEL_DISCOUNTS)}
    # Unscoped: demo data is written by the system, for whichever customers the partner demo created; the
    # first few active customers get their own prices.
    customers = list(Partner.objects.unscoped().filter(is_customer=True).order_by("pk")[:4])
    today = datetime.date.today()
    products = []
    for index, (category, brand, name, spec, unit, box, price, rate) in enumerate(PRODUCTS, start=1):
        list_price = Decimal(price)
        product = services.create_product(
            actor=actor,
            data={
                "code": f"{category.split('-')[0]}-{index:04d}",
                "name": name,
                "specification": spec,
                "category": categories[category],
                "brand": brands.get(brand),
                "unit": _unit(unit),
                "vat_rate": rate,
                "list_price": list_price,
                "min_price": quantize_price(list_price * Decimal("0.85")),
                "cost_price": quantize_price(list_price * Decimal("0.70")),
                "barcode": f"69{index:011d}",
            },
        )
        products.append(product)
        if box is not None:
            box_unit, per_box = box
            services.save_product_unit(
                actor=actor, product=product, data={"unit": _unit(box_unit), "factor": Decimal(per_box)}
            )
            # A box or more is cheaper: the break sits at one box's worth of base units.
            services.save_price_rule(
                actor=actor,
                product=product,
                data={
                    "kind": PriceRuleKind.QUANTITY,
                    "min_quantity": Decimal(per_box),
                    "price": quantize_price(list_price * Decimal("0.92")),
                },
            )
        for code, factor in LEVEL_DISCOUNTS.items():
            if code in levels and index % 2 == 0:
                services.save_price_rule(
                    actor=actor,
                    product=product,
                    data={
                        "kind": PriceRuleKind.LEVEL,
                        "partner_level": levels[code],
                        "price": quantize_price(list_price * factor),
                    },
                )
    for code, name, spec, unit, price, rate in SERVICES:
        services.create_product(
            actor=actor,
            data={
                "code": code,
                "name": name,
                "specification": spec,
                "unit": _unit(unit),
                "vat_rate": rate,
                "list_price": Decimal(price),
            },
        )
    for offset, customer in enumerate(customers):
        for product in products[offset * 5 : offset * 5 + 3]:
            services.save_price_rule(
                actor=actor,
                product=product,
                data={
                    "kind": PriceRuleKind.CUSTOMER,
                    "partner": customer,
                    "price": quantize_price(product.list_price * Decimal("0.88")),
                    "valid_from": today.replace(month=1, day=1),
                    "valid_until": today.replace(month=12, day=31),
                },
            )
    # One discontinued product, so lists and pickers show what that looks like.
    services.update_product(actor=actor, product=products[4], data={"status": "discontinued"})
    stdout.write(f"商品：{Product.objects.count()} 个，分类 {len(categories)} 个，品牌 {len(brands)} 个")
    return {}
