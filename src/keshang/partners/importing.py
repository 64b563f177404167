"""Partners: importing customers and suppliers from Excel or CSV (issue 3), on core's import framework.

:class:`PartnerImporter` says what the columns mean and how rows become partners; the framework
(:mod:`keshang.core.importing`) reads the file, maps the columns, reports and commits all or nothing.

Rules worth knowing:

* **Duplicates.** A row matches an existing partner by its code (编号), else its credit code, else its name
  key (the keys of :mod:`.text`, as :func:`.services.find_duplicates` compares them; phone numbers are not an
  identity here, a switchboard is shared). All partners are loaded once per file instead of asked about per
  row. Policy ``skip`` skips matches; ``update`` updates them, only where the importer may change them (their
  scope); ``create`` creates anyway, except that codes and credit codes are unique, and a same-named partner
  is refused as the services refuse it (``KESHANG_PARTNER_DUPLICATES``: someone else's under the default
  ``block_others``, any under ``block``). Two rows of one file may not share a code or a credit code, nor
  (unless the policy is ``create``) a name.
* **Codes.** A row without a code gets the next one of the sequence when it is created, as the services
  give it (C… for customers, S… for suppliers).
* **Unreadable phone numbers.** By default a number phonenumbers cannot read refuses its row. The
  ``phones`` option ``keep`` stores it as typed instead, flagged ``phone_unverified`` (a contact's mobile:
  ``mobile_unverified``) and without a duplicate key, and lists the row as a notice.
* **Foreign partners.** When the 国家/地区 column names another country, phone numbers are read in that
  country's format (a number with a + prefix is read anywhere) and stored in international format, so the
  services (which read a number without country code as Chinese) derive the same key; a number that
  phonenumbers does not accept as valid is refused. 省/市/区县 and 邮编 are then written into the address
  rather than resolved against China's regions. The country is stored on the partner (国家/地区, ISO code).
* **Speed.** New partners are written by :func:`create_partners_bulk` (bulk inserts for partners, contacts
  and their audit entries); updates go through :func:`.services.update_partner` one by one.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core import audit, bulk
from keshang.core.context import current_request
from keshang.core.exceptions import ApplicationError, ScopeViolation
from keshang.core.importing import (
    DuplicatePolicy,
    Importer,
    ImportField,
    ImportOption,
    RegionResolver,
    Row,
    country_code,
    normalise_header,
    register_importer,
)
from keshang.core.models import AuditAction, AuditEntry, Region
from keshang.core.permissions import Action, Scope
from keshang.core.scope import recheck_scope
from keshang.org.models import User

from . import search, services, text
from .countries import country_choices
from .models import Contact, Industry, Partner, PartnerKind, PartnerLevel, PartnerSource, PartnerStatus

__all__ = ["PartnerImporter", "create_partners_bulk", "register"]

#
# Columns
#

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

_KIND_ALIASES = {
    "公司": PartnerKind.COMPANY,
    "单位": PartnerKind.COMPANY,
    "企业客户": PartnerKind.COMPANY,
    "enterprise": PartnerKind.COMPANY,
    "organization": PartnerKind.COMPANY,
    "个体": PartnerKind.INDIVIDUAL,
    "自然人": PartnerKind.INDIVIDUAL,
    "person": PartnerKind.INDIVIDUAL,
}
_ROLE_WORDS = {
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
_ROLE_SEPARATORS = re.compile(r"[/、,，;；+&和及\s]+")
# Microsoft Access stores hyperlinks as "display text#address#sub-address" (e.g. Northwind's suppliers).
_ACCESS_HYPERLINK = re.compile(r"^(?P<text>[^#]*)#(?P<address>[^#]*)#")
_URL = URLValidator(schemes=("http", "https"))
# What Excel makes of an all-digit credit code in a number cell: rounded to 15 digits, or 9.14403E+17.
_EXCEL_NUMBER = re.compile(r"\d{15,}|\d+(?:\.\d+)?[eE]\+\d+")
# Foreign keys are resolved from in-memory lookups; full_clean would check each with a query.
_FOREIGN_KEYS = ("owner", "department", "created_by", "industry", "level", "region")


def _choice_lookup(choices, aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Value, Chinese label and English label of each choice (and aliases) → value."""
    table = {}
    for value, label in choices.choices:
        table[normalise_header(value)] = value
        for language in (settings.LANGUAGE_CODE, "en"):
            with translation.override(language):
                table[normalise_header(str(label))] = value
    table.update({normalise_header(key): value for key, value in (aliases or {}).items()})
    return table


def _phone(value: str, region: str, *, label: str, country: str) -> str:
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


def _website(value: str) -> str:
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


#
# The importer
#


class PartnerImporter(Importer):
    kind = "partners"
    verbose_name = gettext_lazy("客商")
    resource = "partners.partner"
    list_url_name = "partners:partner_list"
    fields = FIELDS
    options = (ROLE_OPTION, PHONES_OPTION)
    instructions = (
        gettext_lazy(
            "已存在的客商按编号、其次按统一社会信用代码、再次按名称识别（忽略“有限公司”、省市名等写法差异）。"
        ),
        gettext_lazy("导入前先校验全部数据；只要有一行有误，就不会写入任何数据。"),
    )

    def prepare(self) -> None:
        # Unscoped: duplicate control (防撞单) compares with every partner, as services.find_duplicates does;
        # what a row learns about one it cannot open is its name and owner only.
        self._existing: dict[int, tuple[str, int | None, str | None]] = {}
        self._by_name: dict[str, list[int]] = {}
        self._by_code: dict[str, int] = {}
        self._by_partner_code: dict[str, int] = {}
        rows = Partner.objects.unscoped().values_list("pk", "name", "name_key", "credit_code", "owner_id", "code")
        for pk, name, name_key, credit_code, owner_id, code in rows.iterator(chunk_size=5000):
            self._existing[pk] = (name, owner_id, credit_code)
            self._by_name.setdefault(name_key, []).append(pk)
            if credit_code:
                self._by_code[credit_code] = pk
            if code:
                self._by_partner_code[code] = pk
        # Codes this import gave from the sequence (a commit writes batch by batch): a later row typing one is
        # refused with a clear message rather than by the database's unique index.
        self._given_codes: set[str] = set()
        self._changeable: set[int] | None = None  # None: every partner (the system, or a superuser)
        if self.policy == DuplicatePolicy.UPDATE and self.actor is not None and not self.actor.is_superuser:
            changeable = Partner.objects.visible_to(self.actor, Action.CHANGE).values_list("pk", flat=True)
            self._changeable = set(changeable)
        # Unscoped: the owner column names people by user name or name, whoever may see their records.
        self._users: dict[int, tuple[str, bool, int | None]] = {}
        self._usernames: dict[str, int] = {}
        self._user_names: dict[str, list[int]] = {}
        for pk, username, name, is_active, department_id in User.objects.unscoped().values_list(
            "pk", "username", "name", "is_active", "department_id"
        ):
            self._users[pk] = (name or username, is_active, department_id)
            self._usernames[username.casefold()] = pk
            if name:
                self._user_names.setdefault(name, []).append(pk)
        self._owner_scope = self._add_scope()
        # Reference lists everyone may read.
        self._industries = {name.casefold(): pk for pk, name in Industry.objects.values_list("pk", "name")}
        self._levels: dict[str, int] = {}
        for pk, code, name in PartnerLevel.objects.values_list("pk", "code", "name"):
            for key in (code, name, f"{code}级", f"{code}类", name.split("（")[0]):
                self._levels.setdefault(normalise_header(key), pk)
        self._kinds = _choice_lookup(PartnerKind, _KIND_ALIASES)
        self._statuses = _choice_lookup(PartnerStatus)
        self._sources = _choice_lookup(PartnerSource)
        self._regions = RegionResolver()
        self._countries = {code for code, _name in country_choices()}
        # Translated once: a message per row would cost more than the row's own checks.
        self._labels = {item.name: str(item.label) for item in self.fields}

    def _add_scope(self) -> tuple[str, set]:
        """Whom the actor may make owner of a new partner: the rows their "add" scope lets them see
        (core.scope.scope_filter, for an owner and the owner's department); the bulk write re-checks."""
        if self.actor is None or self.actor.is_superuser:
            return Scope.ALL, set()
        scope = self.actor.grant_scope(self.resource, Action.ADD) or Scope.OWN
        if scope == Scope.DEPARTMENT_TREE and self.actor.department_id:
            return scope, set(self.actor.department_tree_ids().values_list("pk", flat=True))
        return scope, {self.actor.department_id} if self.actor.department_id else set()

    def _may_own(self, owner_pk: int) -> bool:
        scope, departments = self._owner_scope
        if scope == Scope.ALL or (self.actor is not None and owner_pk == self.actor.pk):
            return True
        if scope in (Scope.DEPARTMENT, Scope.DEPARTMENT_TREE):
            return self._users[owner_pk][2] in departments
        return False

    def _describe_existing(self, pk: int, matched: str) -> str:
        """The partner as duplicate control names it: its name, its owner, and which of its fields ``matched``."""
        name, owner_id, _code = self._existing[pk]
        owner = self._users[owner_id][0] if owner_id in self._users else ""
        return services.DuplicateMatch(pk=pk, name=name, owner_name=owner, matched=(matched,)).describe()

    #
    # Per row
    #

    def describe(self, row: Row) -> str:
        return row.values.get("name", "")

    def clean(self, row: Row) -> None:
        values = row.values
        changes: dict = {}
        for name in ("code", "name", "short_name", "address", "notes"):
            if values.get(name):
                changes[name] = values[name]
        if not values.get("name"):
            row.error(_("名称不能为空。"))
        self._clean_choices(row, changes)
        country = values.get("country", "")
        region = country_code(country) if country else "CN"
        if region is None or region not in self._countries:
            row.error(_("无法识别国家/地区“%(value)s”。") % {"value": country})
            region = "CN"
        elif country:
            changes["country"] = region
        if values.get("credit_code"):
            try:
                changes["credit_code"] = text.normalize_credit_code(values["credit_code"])
            except ValidationError as error:
                excel_mangled = _EXCEL_NUMBER.fullmatch(values["credit_code"])
                hint = _("（Excel 会改掉长数字，请把该列设为文本格式）") if excel_mangled else ""
                row.error(error.messages[0] + hint)  # text's messages name the credit code already
        if values.get("phone"):
            phone = self._clean_phone(row, values["phone"], region, label=self._labels["phone"], country=country)
            if phone is not None:
                changes["phone"], changes["phone_unverified"] = phone
        if values.get("email"):
            try:
                validate_email(values["email"])
                changes["email"] = values["email"]
            except ValidationError:
                row.error(_("邮箱“%(value)s”格式不正确。") % {"value": values["email"]})
        if values.get("website"):
            try:
                changes["website"] = _website(values["website"])
            except ValidationError as error:
                row.error(error.messages[0])
        self._clean_place(row, changes, region=region)
        owner_pk = self._clean_owner(row)
        contact = self._clean_contact(row, region=region, country=country)
        if row.errors:
            return
        partner = self._new_partner(changes, owner_pk)
        try:
            partner.full_clean(exclude=_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                label = Partner._meta.get_field(field).verbose_name if field != "__all__" else ""
                row.error("".join([f"{label}：" if label else "", messages[0]]))
            return
        row.data = {
            "partner": partner,
            "contact": contact,
            "changes": changes,
            "name_key": text.name_key(partner.name),
            "owner_pk": owner_pk,
        }

    def _clean_choices(self, row: Row, changes: dict) -> None:
        values = row.values
        for name, table, label in (
            ("kind", self._kinds, self._labels["kind"]),
            ("status", self._statuses, self._labels["status"]),
            ("source", self._sources, self._labels["source"]),
        ):
            if values.get(name):
                value = table.get(normalise_header(values[name]))
                if value is None:
                    row.error(_("%(label)s“%(value)s”不是有效的选项。") % {"label": label, "value": values[name]})
                else:
                    changes[name] = value
        if values.get("roles"):
            words = {_ROLE_WORDS.get(word.casefold()) for word in _ROLE_SEPARATORS.split(values["roles"]) if word}
            if None in words or not words:
                row.error(
                    _("客户/供应商“%(value)s”无法识别（可填：客户、供应商、客户/供应商）。")
                    % {"value": values["roles"]}
                )
            else:
                flags = [ROLE_FLAGS[word] for word in words]
                changes["is_customer"] = any(customer for customer, _supplier in flags)
                changes["is_supplier"] = any(supplier for _customer, supplier in flags)
        for name, table in (("industry", self._industries), ("level", self._levels)):
            if values.get(name):
                key = values[name].casefold() if name == "industry" else normalise_header(values[name])
                pk = table.get(key)
                if pk is None:
                    row.error(_("%(label)s“%(value)s”不存在。") % {"label": self._labels[name], "value": values[name]})
                else:
                    changes[f"{name}_id"] = pk

    def _clean_place(self, row: Row, changes: dict, *, region: str) -> None:
        values = row.values
        parts = [values.get(name, "") for name in ("province", "city", "district")]
        if region != "CN":
            # Abroad: no Chinese region; the parts are the address as written there.
            abroad = [values.get("address", ""), *reversed(parts), values.get("region", "")]
            abroad += [values.get("postal_code", ""), values.get("country", "")]
            address = ", ".join(part for part in abroad if part)
            if address:
                changes["address"] = address
            return
        place = values.get("region") or " ".join(part for part in parts if part)
        if place:
            pk, message = self._regions.resolve(place)
            if message:
                row.error(message)
            else:
                changes["region_id"] = pk

    def _clean_phone(self, row: Row, value: str, region: str, *, label: str, country: str) -> tuple[str, bool] | None:
        """(number to store, unverified) or None with the row refused. Under the ``phones`` option ``keep`` a
        number that cannot be read is kept as typed and flagged, and the row says so."""
        try:
            return _phone(value, region, label=label, country=country), False
        except ValidationError as error:
            if self.option_values["phones"] != "keep":
                row.error(error.messages[0])
                return None
        row.notice(_("%(label)s“%(value)s”无法识别，按原样保存并标记为未核实。") % {"label": label, "value": value})
        return value.strip(), True

    def _clean_owner(self, row: Row) -> int | None:
        """The owner of a new partner: the column's user, else the actor (no actor: the public pool)."""
        written = row.values.get("owner", "")
        if not written:
            return self.actor.pk if self.actor is not None else None
        pk = self._usernames.get(written.casefold())
        if pk is None:
            matches = self._user_names.get(written, [])
            if len(matches) > 1:
                row.error(_("负责人“%(value)s”有重名，请填用户名。") % {"value": written})
                return None
            pk = matches[0] if matches else None
        if pk is None:
            row.error(_("负责人“%(value)s”不存在。") % {"value": written})
        elif not self._users[pk][1]:
            row.error(_("负责人“%(value)s”已停用。") % {"value": written})
        elif not self._may_own(pk):
            row.error(_("负责人“%(value)s”不在您的数据权限范围内。") % {"value": written})
        else:
            return pk
        return None

    def _clean_contact(self, row: Row, *, region: str, country: str) -> Contact | None:
        values = row.values
        name, mobile, title = (values.get(key, "") for key in ("contact_name", "contact_mobile", "contact_title"))
        if not (name or mobile or title):
            return None
        if not name:
            row.error(_("填写了联系人手机或职务，但没有联系人姓名。"))
            return None
        contact = Contact(name=name, title=title, is_primary=True)
        if mobile:
            phone = self._clean_phone(row, mobile, region, label=self._labels["contact_mobile"], country=country)
            if phone is None:
                return None
            contact.mobile, contact.mobile_unverified = phone
        try:
            contact.full_clean(exclude=("partner",), validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                row.error(f"{_('联系人')}{Contact._meta.get_field(field).verbose_name}：{messages[0]}")
            return None
        return contact

    def _new_partner(self, changes: dict, owner_pk: int | None) -> Partner:
        customer, supplier = ROLE_FLAGS[self.option_values["role"]]
        partner = Partner(
            **{"is_customer": customer, "is_supplier": supplier, "source": PartnerSource.IMPORT, **changes}
        )
        partner.owner_id = owner_pk
        partner.department_id = self._users[owner_pk][2] if owner_pk is not None else None
        partner.credit_code = changes.get("credit_code") or None
        return partner

    def identities(self, row: Row) -> list[tuple[str, str]]:
        keys = []
        if row.data["partner"].code:
            keys.append((row.data["partner"].code, self._labels["code"]))
        if row.data["partner"].credit_code:
            keys.append((row.data["partner"].credit_code, self._labels["credit_code"]))
        if self.policy != DuplicatePolicy.CREATE:
            keys.append((row.data["name_key"], self._labels["name"]))
        return keys

    def resolve(self, row: Row) -> None:
        partner = row.data["partner"]
        by_number = self._by_partner_code.get(partner.code) if partner.code else None
        by_code = self._by_code.get(partner.credit_code) if partner.credit_code else None
        by_name = self._by_name.get(row.data["name_key"], [])
        if partner.code in self._given_codes:
            row.error(_("编号“%(code)s”已由本次导入自动分配给前面的行，请换一个编号。") % {"code": partner.code})
            return
        if self.policy == DuplicatePolicy.CREATE:
            self._resolve_create(row, by_number, by_code, by_name)
            return
        if by_number is None and by_code is None and not by_name:
            row.action = Row.CREATE
            return
        if by_number is not None and by_code is not None and by_code != by_number:
            row.error(
                _("编号和统一社会信用代码分别对应不同的已有客商：%(first)s；%(second)s。")
                % {
                    "first": self._describe_existing(by_number, "code"),
                    "second": self._describe_existing(by_code, "credit_code"),
                }
            )
            return
        if by_number is not None:
            target, matched = by_number, "code"
        elif by_code is not None:
            target, matched = by_code, "credit_code"
        elif len(by_name) == 1:
            target, matched = by_name[0], "name"
        else:
            target, matched = None, "name"
        if self.policy == DuplicatePolicy.SKIP:
            row.action = Row.SKIP
            row.target = target if target is not None else by_name[0]
            row.notice(_("已存在，跳过：%(match)s。") % {"match": self._describe_existing(row.target, matched)})
            return
        self._resolve_update(row, target, by_name)

    def _resolve_create(self, row: Row, by_number: int | None, by_code: int | None, by_name: list[int]) -> None:
        """Policy ``create``: codes and credit codes stay unique; a same-named partner is refused where the
        services would refuse it (someone else's, or any under ``block``), else created with a notice."""
        if by_number is not None:
            row.error(_("编号已被使用：%(match)s。") % {"match": self._describe_existing(by_number, "code")})
            return
        if by_code is not None:
            row.error(
                _("统一社会信用代码已被使用：%(match)s。") % {"match": self._describe_existing(by_code, "credit_code")}
            )
            return
        policy = services.duplicate_policy()
        owner_pk = row.data["owner_pk"]
        theirs = [pk for pk in by_name if self._existing[pk][1] not in (None, owner_pk)]
        if theirs and policy != services.DUPLICATES_WARN:
            matches = "；".join(self._describe_existing(pk, "name") for pk in theirs[:3])
            row.error(_("已有他人负责的相同客商：%(matches)s。请向负责人申请共享或转移。") % {"matches": matches})
        elif by_name and policy == services.DUPLICATES_BLOCK:
            matches = "；".join(self._describe_existing(pk, "name") for pk in by_name[:3])
            row.error(_("已存在相同的客商：%(matches)s。系统设置不允许重复。") % {"matches": matches})
        else:
            row.action = Row.CREATE
            if by_name:
                row.notice(
                    _("与已有客商同名，仍将新增：%(match)s。") % {"match": self._describe_existing(by_name[0], "name")}
                )

    def _resolve_update(self, row: Row, target: int | None, by_name: list[int]) -> None:
        partner = row.data["partner"]
        if target is None:
            names = "、".join(f"“{self._existing[pk][0]}”" for pk in by_name[:5])
            row.error(
                _("名称与多个已有客商相同（%(names)s），无法确定更新哪一个，请填写编号或统一社会信用代码。")
                % {"names": names}
            )
            return
        name, owner_id, existing_code = self._existing[target]
        if partner.credit_code and existing_code and existing_code != partner.credit_code:
            row.error(
                _("对应已有客商“%(name)s”，但统一社会信用代码不同（已有：%(code)s）。")
                % {"name": name, "code": existing_code}
            )
            return
        if self._changeable is not None and target not in self._changeable:
            owner = self._users[owner_id][0] if owner_id in self._users else _("公海")
            row.error(_("该客商属于他人，无权更新（负责人：%(owner)s）。") % {"owner": owner})
            return
        row.action = Row.UPDATE
        row.target = target
        row.notice(_("将更新已有客商“%(name)s”。") % {"name": name})
        if row.values.get("owner") and row.data["owner_pk"] != owner_id:
            row.notice(_("负责人不随导入更新，如需更换请使用转移功能。"))

    #
    # Writing
    #

    def write(self, rows: list[Row]) -> None:
        creates = [row for row in rows if row.action == Row.CREATE]
        if creates:
            typed = {row.data["partner"].code for row in creates if row.data["partner"].code}
            created = create_partners_bulk(
                actor=self.actor, partners=[(row.data["partner"], row.data["contact"]) for row in creates]
            )
            self._given_codes.update(partner.code for partner in created if partner.code not in typed)
        for row in rows:
            if row.action == Row.UPDATE:
                self._update(row)

    def _update(self, row: Row) -> None:
        changes = dict(row.data["changes"])
        for name, model in (("industry", Industry), ("level", PartnerLevel), ("region", Region)):
            if f"{name}_id" in changes:
                changes[name] = model.objects.get(pk=changes.pop(f"{name}_id"))
        try:
            with transaction.atomic():
                # Visible for "change" to the actor: resolve() checked it against their scope.
                partner = Partner.objects.get(pk=row.target)
                partner = services.update_partner(
                    actor=self.actor, partner=partner, data=changes, confirm_duplicate=True
                )
                contact = row.data["contact"]
                if contact is not None:
                    self._update_contact(partner, contact)
                if self.actor is not None:
                    recheck_scope(user=self.actor, obj=partner, action=Action.CHANGE)
        except ValidationError as error:
            row.error("；".join(error.messages))
        except ApplicationError as error:
            row.error(error.message)

    def _update_contact(self, partner: Partner, contact: Contact) -> None:
        existing = partner.contacts.filter(name=contact.name).first()
        if existing is not None:
            data = {key: getattr(contact, key) for key in ("title", "mobile") if getattr(contact, key)}
            if contact.mobile:
                data["mobile_unverified"] = contact.mobile_unverified
            if data:
                services.save_contact(actor=self.actor, partner=partner, contact=existing, data=data)
            return
        data = {"name": contact.name, "title": contact.title, "mobile": contact.mobile}
        data["mobile_unverified"] = contact.mobile_unverified
        data["is_primary"] = not partner.contacts.filter(is_primary=True).exists()
        services.save_contact(actor=self.actor, partner=partner, data=data)


#
# Bulk creation
#


def create_partners_bulk(*, actor, partners: list[tuple[Partner, Contact | None]]) -> list[Partner]:
    """Create many new partners (each with an optional primary contact) as :func:`.services.create_partner`
    and :func:`.services.save_contact` would, in a few bulk inserts.

    For importing: 100,000 rows through the per-row services would take minutes (each checks duplicates,
    validates foreign keys and writes its audit row with its own queries). The caller has already done
    per row what ``create_partner`` does before saving: fields validated with ``full_clean`` (foreign keys
    and uniqueness excluded: they come from lookups, and duplicates were checked against all partners),
    owner and department set. Here: partners without a code get one from the sequence
    (:func:`.services.assign_partner_codes`), the keys and search text are derived by the services' own function,
    the rows are inserted, the scope is re-checked in bulk (a partner the actor could not see rolls all
    back), the search bigrams are indexed in bulk, and one audit entry per partner and contact is written
    with the fields ``audit.record`` fills.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        for partner, _contact in partners:
            partner.code = (partner.code or "").strip() or None
        services.assign_partner_codes([partner for partner, _contact in partners])
        snapshots = []
        for partner, _contact in partners:
            partner.created_by = user
            services.derive_partner_keys(partner)  # the same keys and search text create_partner derives
            # Taken before the insert, when there is no pk and so no per-row query for the tags.
            snapshots.append(audit.snapshot(partner))
        bulk.insert_rows(Partner, [partner for partner, _contact in partners])
        pks = [partner.pk for partner, _contact in partners]
        if user is not None and Partner.objects.visible_to(user, Action.ADD).filter(pk__in=pks).count() != len(pks):
            raise ScopeViolation()
        search.reindex_partner_grams([partner for partner, _contact in partners])
        contacts = []
        for partner, contact in partners:
            if contact is not None:
                contact.partner = partner
                # As services.save_contact derives it.
                contact.search_text = services.contact_search_text(contact)
                contacts.append(contact)
        bulk.insert_rows(Contact, contacts)
        entries = []
        partner_type = ContentType.objects.get_for_model(Partner)
        contact_type = ContentType.objects.get_for_model(Contact)
        context = current_request.get()
        common = {
            "user": user,
            "user_name": user.get_username() if user else "",
            "request_id": context.request_id if context else "",
            "ip_address": context.ip_address if context else None,
            "user_agent": context.user_agent if context else "",
            "action": AuditAction.CREATE,
        }
        for (partner, _contact), after in zip(partners, snapshots, strict=True):
            after.update(
                id=partner.pk,
                created_at=audit.serialize_value(partner.created_at),
                updated_at=audit.serialize_value(partner.updated_at),
                tags=[],
            )
            entries.append(
                AuditEntry(
                    **common,
                    content_type=partner_type,
                    object_id=str(partner.pk),
                    object_repr=str(partner)[:200],
                    after=after,
                )
            )
        for contact in contacts:
            entries.append(
                AuditEntry(
                    **common,
                    content_type=contact_type,
                    object_id=str(contact.pk),
                    object_repr=str(contact)[:200],
                    after=audit.snapshot(contact),
                    related_content_type=partner_type,
                    related_object_id=str(contact.partner_id),
                )
            )
        bulk.insert_rows(AuditEntry, entries)
    return [partner for partner, _contact in partners]


def register() -> None:
    """The importer, and the menu item that opens it; called from PartnersConfig.ready()."""
    from keshang.core.registry import MenuItem, register_menu_item

    register_importer(PartnerImporter.kind, PartnerImporter)
    register_menu_item(
        MenuItem(
            "partners", gettext_lazy("导入客商"), "partners:partner_import", "partners.partner", Action.ADD, order=90
        )
    )
