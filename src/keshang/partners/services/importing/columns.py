"""The columns of the partner import: what each means, the words it understands, and
how a phone number or a website cell becomes what is stored."""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core.importing import ImportField, ImportOption, normalise_header

from ... import text
from ...models import PartnerKind

__all__ = [
    "FIELDS",
    "ROLE_OPTION",
    "ROLE_FLAGS",
    "PHONES_OPTION",
    "KIND_ALIASES",
    "ROLE_WORDS",
    "ROLE_SEPARATORS",
    "EXCEL_NUMBER",
    "FOREIGN_KEYS",
    "choice_lookup",
    "phone_to_store",
    "website_to_store",
]

FIELDS = (
    ImportField(
        "code",
        gettext_lazy("编号"),
        synonyms=(
            "客户编号",
            "供应商编号",
            "客商编号",
            "客户编码",
            "供应商编码",
            "客商编码",
            "customer_id",
            "supplier_id",
            "partner_id",
            "partner_code",
            "customer_code",
            "supplier_code",
        ),
        help_text=gettext_lazy("客户编号或供应商编号；不填则自动生成。"),
        example="C-0001",
    ),
    ImportField(
        "name",
        gettext_lazy("名称"),
        required=True,
        synonyms=("客户名称", "公司名称", "客商名称", "供应商名称", "单位名称", "企业名称", "company", "CompanyName"),
        help_text=gettext_lazy("公司全称或个人姓名。"),
        example="深圳市示例科技有限公司",
    ),
    ImportField(
        "short_name", gettext_lazy("简称"), synonyms=("客户简称", "公司简称", "short_name"), example="示例科技"
    ),
    ImportField(
        "kind",
        gettext_lazy("类型"),
        synonyms=("企业/个人", "客商类型", "主体类型", "kind", "type"),
        help_text=gettext_lazy("企业或个人；不填为企业。"),
        example="企业",
    ),
    ImportField(
        "roles",
        gettext_lazy("客户/供应商"),
        synonyms=("角色", "客商角色", "客商类别", "roles", "role"),
        help_text=gettext_lazy("客户、供应商，或“客户/供应商”（两者都是）；不填时按导入时的选择。"),
        example="客户",
    ),
    ImportField(
        "credit_code",
        gettext_lazy("统一社会信用代码"),
        synonyms=("信用代码", "社会信用代码", "税号", "纳税人识别号", "USCC", "credit_code", "tax_id"),
        help_text=gettext_lazy("18 位；请把该列设为文本格式，否则 Excel 会把长数字改掉。"),
        example="91440300MA5G0A1B29",
    ),
    ImportField("industry", gettext_lazy("行业"), synonyms=("所属行业", "industry"), example="电子元器件"),
    ImportField(
        "level",
        gettext_lazy("级别"),
        synonyms=("客户级别", "等级", "level", "grade"),
        help_text=gettext_lazy("级别代码或名称，如 A。"),
        example="A",
    ),
    ImportField(
        "status",
        gettext_lazy("状态"),
        synonyms=("客户状态", "status"),
        help_text=gettext_lazy("潜在、意向、成交或流失；不填为潜在。"),
        example="潜在",
    ),
    ImportField(
        "source",
        gettext_lazy("来源"),
        synonyms=("客户来源", "source"),
        help_text=gettext_lazy("官网、展会、转介绍、电话营销、广告、老客户或其他；不填为“导入”。"),
        example="展会",
    ),
    ImportField(
        "region",
        gettext_lazy("地区"),
        synonyms=("所在地区", "省市区", "行政区划", "区划代码", "region", "area"),
        help_text=gettext_lazy("如“广东省 深圳市 南山区”或 6 位区划代码；也可分别填省、市、区县三列。"),
    ),
    ImportField("province", gettext_lazy("省"), synonyms=("省份", "省/直辖市", "province", "state"), example="广东省"),
    ImportField("city", gettext_lazy("市"), synonyms=("城市", "所在城市", "city"), example="深圳市"),
    ImportField(
        "district", gettext_lazy("区县"), synonyms=("区/县", "县区", "区", "district", "county"), example="南山区"
    ),
    ImportField(
        "address",
        gettext_lazy("详细地址"),
        synonyms=("地址", "办公地址", "公司地址", "通讯地址", "address", "street"),
        example="科技园南区 1 号",
    ),
    ImportField(
        "postal_code",
        gettext_lazy("邮编"),
        synonyms=("邮政编码", "postal_code", "zip", "zip_code", "postcode"),
        help_text=gettext_lazy("只用于境外地址，写入详细地址。"),
    ),
    ImportField(
        "country",
        gettext_lazy("国家/地区"),
        synonyms=("国家", "country"),
        help_text=gettext_lazy("不填为中国。境外客商的电话按该国格式识别，省、市、区县和邮编写入详细地址。"),
    ),
    ImportField(
        "phone",
        gettext_lazy("电话"),
        synonyms=("联系电话", "公司电话", "座机", "固定电话", "phone", "telephone", "tel"),
        help_text=gettext_lazy("境外号码请加国家代码（如 +49 30 1234567）或填写“国家/地区”。"),
        example="0755-86001234",
    ),
    ImportField("email", gettext_lazy("邮箱"), synonyms=("电子邮箱", "电子邮件", "email", "e-mail", "mail")),
    ImportField(
        "website", gettext_lazy("网址"), synonyms=("网站", "主页", "官网", "website", "homepage", "url", "web")
    ),
    ImportField(
        "owner",
        gettext_lazy("负责人"),
        synonyms=("业务员", "销售", "归属人", "owner", "sales_rep", "salesperson"),
        help_text=gettext_lazy("用户名或姓名；不填为导入人。更新已有客商时不改变负责人（请用转移功能）。"),
    ),
    ImportField("notes", gettext_lazy("备注"), synonyms=("说明", "notes", "remark", "remarks", "comment", "memo")),
    ImportField(
        "contact_name", gettext_lazy("联系人"), synonyms=("联系人姓名", "contact", "contact_name"), example="张三"
    ),
    ImportField(
        "contact_mobile",
        gettext_lazy("联系人手机"),
        synonyms=("手机", "手机号", "联系人电话", "mobile", "cellphone", "contact_phone"),
        example="13800138000",
    ),
    ImportField(
        "contact_title",
        gettext_lazy("联系人职务"),
        synonyms=("职务", "职位", "contact_title", "title", "position"),
        example="采购经理",
    ),
)

ROLE_OPTION = ImportOption(
    "role",
    gettext_lazy("未填“客户/供应商”的行导入为"),
    choices=(
        ("customer", gettext_lazy("客户")),
        ("supplier", gettext_lazy("供应商")),
        ("both", gettext_lazy("客户及供应商")),
    ),
    default="customer",
)
ROLE_FLAGS = {"customer": (True, False), "supplier": (False, True), "both": (True, True)}
PHONES_OPTION = ImportOption(
    "phones",
    gettext_lazy("无法识别的电话号码"),
    choices=(
        ("reject", gettext_lazy("拒绝该行")),
        ("keep", gettext_lazy("按原样保存，标记为未核实")),
    ),
    default="reject",
)

KIND_ALIASES = {
    "公司": PartnerKind.COMPANY,
    "单位": PartnerKind.COMPANY,
    "企业客户": PartnerKind.COMPANY,
    "enterprise": PartnerKind.COMPANY,
    "organization": PartnerKind.COMPANY,
    "个体": PartnerKind.INDIVIDUAL,
    "自然人": PartnerKind.INDIVIDUAL,
    "person": PartnerKind.INDIVIDUAL,
}
ROLE_WORDS = {
    "客户": "customer",
    "customer": "customer",
    "client": "customer",
    "供应商": "supplier",
    "供货商": "supplier",
    "supplier": "supplier",
    "vendor": "supplier",
    "两者": "both",
    "都是": "both",
    "both": "both",
}
ROLE_SEPARATORS = re.compile(r"[/、,，;；+&和及\s]+")
# Microsoft Access stores hyperlinks as "display text#address#sub-address" (e.g. Northwind's suppliers).
_ACCESS_HYPERLINK = re.compile(r"^(?P<text>[^#]*)#(?P<address>[^#]*)#")
_URL = URLValidator(schemes=("http", "https"))
# What Excel makes of an all-digit credit code in a number cell: rounded to 15 digits, or 9.14403E+17.
EXCEL_NUMBER = re.compile(r"\d{15,}|\d+(?:\.\d+)?[eE]\+\d+")
# Foreign keys are resolved from in-memory lookups; full_clean would check each with a query.
FOREIGN_KEYS = ("owner", "department", "created_by", "industry", "level", "region")


def choice_lookup(choices, aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Value, Chinese label and English label of each choice (and aliases) → value."""
    table = {}
    for value, label in choices.choices:
        table[normalise_header(value)] = value
        for language in (settings.LANGUAGE_CODE, "en"):
            with translation.override(language):
                table[normalise_header(str(label))] = value
    table.update({normalise_header(key): value for key, value in (aliases or {}).items()})
    return table


def phone_to_store(value: str, region: str, *, label: str, country: str) -> str:
    """The number to store: as typed when it reads as Chinese (or has a + prefix); a foreign one in
    international format, which the services' Chinese default reads back to the same key."""
    try:
        key = text.normalize_phone(value, region)
    except ValidationError:
        if region == "CN":
            message = _(
                "%(label)s“%(value)s”不是有效的号码；境外号码请加国家代码（如 +49 30 1234567）或填写“国家/地区”。"
            )
        else:
            message = _("%(label)s“%(value)s”不是%(country)s的有效号码。")
        raise ValidationError(message % {"label": label, "value": value, "country": country}) from None
    if region == "CN" or value.lstrip().startswith("+"):
        return value
    return phonenumbers.format_number(phonenumbers.parse(key), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def website_to_store(value: str) -> str:
    """An http(s) address: a bare host gets https://, an Access hyperlink its address part."""
    match = _ACCESS_HYPERLINK.match(value)
    if match:
        address = match["address"].strip()
        if not re.match(r"(?i)https?://", address):
            raise ValidationError(_("网址“%(value)s”是文件链接，不是网站地址。") % {"value": value})
        value = address
    elif "://" not in value:
        value = f"https://{value}"
    try:
        _URL(value)
    except ValidationError:
        raise ValidationError(_("网址“%(value)s”格式不正确。") % {"value": value}) from None
    return value
