"""The fixed, seeded workload of issue 5, scaled by N: customers, products, orders and look-ups.

Everything here is plain Python (no Django): the Keshang side and the raw-SQL side build the same data
from the same seed, each in its own process. Customers are also written as the CSV file the product's
import reads (step a).
"""

from __future__ import annotations

import csv
import datetime
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

from pypinyin import Style, lazy_pinyin

SEED = 20260505
PRODUCTS = 1000
LINES_PER_ORDER = 5
LOOKUPS = 1000
VAT_RATE = Decimal("0.13")
YEAR = 2025

INDUSTRIES = [
    "电子元器件",
    "机械设备",
    "五金工具",
    "化工原料",
    "塑料橡胶",
    "纺织服装",
    "食品饮料",
    "医药医疗",
    "建材家居",
    "汽车配件",
    "办公用品",
    "包装印刷",
    "农林牧渔",
    "能源环保",
    "仪器仪表",
    "日用百货",
    "信息技术",
    "物流运输",
    "贸易批发",
    "其他",
]  # fmt: skip  (the 20 industries partners.demo.ensure_partner_classifications creates)
LEVELS = ["A", "B", "C", "D"]
# Sales reps per department (department code, name); the manager heads the parent department 销售部.
SALES_DEPARTMENTS = [("BENCH-EAST", "华东销售组"), ("BENCH-SOUTH", "华南销售组"), ("BENCH-NORTH", "华北销售组")]
REPS_PER_DEPARTMENT = 3


def _words(text: str) -> list[str]:
    """A word list written as one string (reads better than a list of quoted two-character words)."""
    return text.split()


# Company names: <city><first word><second word><trade><legal form>. The words avoid place names, which
# the duplicate key strips, so every name has its own key (the import would reject a repeated one).
_FIRST = _words(
    "华泰 恒信 金鼎 瑞丰 宏达 永盛 鑫源 博远 嘉禾 卓越 同创 汇通 利民 鸿运 启航 德润 安泰 和顺 富源 兴旺 "
    "天成 正大 新宇 力拓 明辉 盛世 精工 海纳 睿智 凯达 通达 信诚 万嘉 久隆 弘毅 聚丰 诚泰 众合 立信 长城 "
    "金桥 银河 宝丰 鼎新 汇丰 恒昌 晨曦 骏马 青松 翔宇 亿达 协力 优品 品正 创新 国泰 美达 华润 永辉 旭日"
)
_SECOND = _words(
    "科创 实业 伟业 远航 腾飞 恒通 宏图 昌盛 锦程 鼎盛 佳和 振兴 乐康 瑞祥 祥和 光明 顺达 广源 云帆 星辰 "
    "博创 泰和 荣达 嘉信 华美 合众 致远 智联 普惠 润泽 雅致 铭诚 康健 百川 丰华 联创 永泰 东升 飞扬 华鑫 "
    "天宏 恒远 顺丰 金盛 嘉悦 同心 惠民 诚信 鹏程 宏远 新锐 卓航 万通 兴业 景泰 同益 翰林 金穗 海川 和美"
)
_TRADE = _words(
    "电子 机械 五金 化工 塑胶 纺织 食品 医疗 建材 汽配 文具 包装 农业 环保 仪器 百货 软件 物流 贸易 电器 "
    "照明 家具 陶瓷 钢材 管业 阀门 模具 印务 服饰 茶业 酒业 药业 涂料 玻璃 线缆 轴承 电机 泵业 新材 光电"
)
_FORMS = ["有限公司", "有限责任公司", "股份有限公司", "商贸有限公司", "贸易有限公司"]
_STREETS = ["人民路", "建设路", "解放路", "中山路", "和平路", "科技路", "工业大道", "新华街", "朝阳路", "滨江路"]
_UNITS = ["个", "台", "件", "箱", "套", "米", "千克", "包"]
_PRODUCT_WORDS = _words(
    "电阻 电容 电感 二极管 三极管 继电器 开关 插座 电缆 螺栓 螺母 垫片 轴承 齿轮 阀门 水泵 电机 传感器 控制器 变压器 "
    "手套 胶带 纸箱 托盘 货架 工具箱 扳手 钻头 砂轮 焊条"
)


@dataclass(frozen=True)
class Customer:
    name: str
    province: str
    city: str
    address: str
    phone: str
    industry: str
    level: str
    owner: str  # a username of the bench's sales reps


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    specification: str
    unit: str
    list_price: Decimal  # 含税
    cost_price: Decimal

    def service_data(self, unit) -> dict:
        """What ``catalog.services.create_product`` takes for this product (``unit``: its Unit row)."""
        return {
            "code": self.code,
            "name": self.name,
            "specification": self.specification,
            "unit": unit,
            "vat_rate": "0.13",
            "list_price": self.list_price,
            "cost_price": self.cost_price,
        }


@dataclass(frozen=True)
class Order:
    customer: int  # index into Workload.customers
    order_date: datetime.date
    lines: tuple[tuple[int, int], ...]  # (product index, quantity)


@dataclass
class Workload:
    n: int
    seed: int
    customers: list[Customer]
    products: list[Product]
    orders: list[Order]
    lookups: list[str]
    reps: list[tuple[str, str]] = field(default_factory=list)  # (username, department code)

    def line_gross(self, product: int, quantity: int) -> Decimal:
        """价税合计 of one line at list price, rounded once half-up to the fen (as keshang.core.money)."""
        return (self.products[product].list_price * quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def order_gross(self, order: Order) -> Decimal:
        return sum((self.line_gross(product, quantity) for product, quantity in order.lines), Decimal("0"))

    def line_net(self, product: int, quantity: int) -> Decimal:
        gross = self.line_gross(product, quantity)
        return (gross / (1 + VAT_RATE)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def expected_report(self) -> dict[tuple[str, str], tuple[Decimal, int]]:
        """(customer name, "YYYY-MM") → (gross sales, orders): what step e must return."""
        result: dict[tuple[str, str], tuple[Decimal, int]] = {}
        for order in self.orders:
            key = (self.customers[order.customer].name, order.order_date.strftime("%Y-%m"))
            gross, count = result.get(key, (Decimal("0"), 0))
            result[key] = (gross + self.order_gross(order), count + 1)
        return result

    def write_customers_csv(self, path: Path) -> Path:
        """The import file of step a, with the Chinese headers the importer recognises."""
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["客户名称", "省", "市", "详细地址", "电话", "行业", "级别", "负责人"])
            for item in self.customers:
                row = [item.name, item.province, item.city, item.address, item.phone, item.industry, item.level]
                writer.writerow([*row, item.owner])
        return path


def _cities() -> list[tuple[str, str]]:
    """(province, city) pairs from the region data Keshang ships, so the importer resolves every one."""
    data = resources.files("keshang.core") / "data" / "regions"
    with (data / "provinces.csv").open(encoding="utf-8", newline="") as handle:
        provinces = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    placeholders = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
    with (data / "cities.csv").open(encoding="utf-8", newline="") as handle:
        return [
            (provinces[row["provinceCode"]], row["name"])
            for row in csv.DictReader(handle)
            if row["name"] not in placeholders
        ]


# Mobile prefixes in use on the mainland (every one is a valid number for the importer's check).
_MOBILE_PREFIXES = [f"13{digit}" for digit in range(10)] + _words(
    "150 151 152 153 155 156 157 158 159 166 173 176 177 180 181 182 183 185 186 187 188 189 198 199"
)


def _mobile(rng: random.Random) -> str:
    return f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def generate(n: int = 100_000, seed: int = SEED) -> Workload:
    rng = random.Random(seed)
    reps = [
        (f"bench_rep{index * REPS_PER_DEPARTMENT + number + 1}", code)
        for index, (code, _name) in enumerate(SALES_DEPARTMENTS)
        for number in range(REPS_PER_DEPARTMENT)
    ]
    total = len(_FIRST) * len(_SECOND) * len(_TRADE)
    if n > total:
        raise ValueError(f"at most {total} distinct customer names")
    cities = _cities()
    customers = []
    cores = []  # each name's own part (its two words and trade), where the look-ups are cut from
    for number in rng.sample(range(total), n):
        first, rest = divmod(number, len(_SECOND) * len(_TRADE))
        second, trade = divmod(rest, len(_TRADE))
        province, city = rng.choice(cities)
        core = f"{_FIRST[first]}{_SECOND[second]}{_TRADE[trade]}"
        cores.append((len(city), core))
        name = f"{city}{core}{rng.choice(_FORMS)}"
        customers.append(
            Customer(
                name=name,
                province=province,
                city=city,
                address=f"{rng.choice(_STREETS)}{rng.randrange(1, 999)}号",
                phone=_mobile(rng),
                industry=rng.choice(INDUSTRIES),
                level=rng.choice(LEVELS),
                owner=rng.choice(reps)[0],
            )
        )
    products = []
    for index in range(PRODUCTS):
        # At most 999.99 a unit: 5 lines × 20 × 999.99 < 100,000, under the default approval threshold.
        price = Decimal(rng.randrange(100, 100_000)) / 100
        products.append(
            Product(
                code=f"BP{index + 1:05d}",
                name=f"{rng.choice(_PRODUCT_WORDS)}{index + 1:04d}",
                specification=f"{rng.choice('ABCDEFGH')}{rng.randrange(10, 999)}-{rng.randrange(1, 99)}",
                unit=rng.choice(_UNITS),
                list_price=price,
                cost_price=(price * Decimal("0.7")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            )
        )
    start = datetime.date(YEAR, 1, 1)
    orders = [
        Order(
            customer=rng.randrange(n),
            order_date=start + datetime.timedelta(days=rng.randrange(365)),
            lines=tuple((rng.randrange(PRODUCTS), rng.randint(1, 20)) for _line in range(LINES_PER_ORDER)),
        )
        for _order in range(max(1, n // 10))
    ]
    lookups = []
    for index in range(LOOKUPS):
        chosen = rng.randrange(n)
        name = customers[chosen].name
        offset, core = cores[chosen]
        size = rng.randint(2, 4)
        begin = rng.randrange(len(core) - size + 1)
        fragment = core[begin : begin + size]
        if index % 2:
            # Pinyin initials of the same characters, read in the context of the whole name as pypinyin
            # reads it for the search text.
            initials = lazy_pinyin(name, style=Style.FIRST_LETTER)
            fragment = "".join(initials[offset + begin : offset + begin + size]).lower()
        lookups.append(fragment)
    return Workload(n=n, seed=seed, customers=customers, products=products, orders=orders, lookups=lookups, reps=reps)
