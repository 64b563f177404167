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
* **Speed.** New partners are written by :func:`.importing_bulk.create_partners_bulk` (bulk inserts for
  partners, contacts and their audit entries); updates go through :func:`.services.update_partner` one by one.

The columns and what their cells may say are in :mod:`.importing_columns`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core.exceptions import ApplicationError
from keshang.core.importing import (
    DuplicatePolicy,
    Importer,
    RegionResolver,
    Row,
    country_code,
    normalise_header,
    register_importer,
)
from keshang.core.models import Region
from keshang.core.permissions import Action, Scope
from keshang.core.scope import recheck_scope
from keshang.org.models import User

from . import services, text
from .countries import country_choices
from .importing_bulk import create_partners_bulk
from .importing_columns import (
    EXCEL_NUMBER,
    FIELDS,
    FOREIGN_KEYS,
    KIND_ALIASES,
    PHONES_OPTION,
    ROLE_FLAGS,
    ROLE_OPTION,
    ROLE_SEPARATORS,
    ROLE_WORDS,
    choice_lookup,
    phone_to_store,
    website_to_store,
)
from .models import Contact, Industry, Partner, PartnerKind, PartnerLevel, PartnerSource, PartnerStatus

__all__ = ["PartnerImporter", "register"]

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
        self._kinds = choice_lookup(PartnerKind, KIND_ALIASES)
        self._statuses = choice_lookup(PartnerStatus)
        self._sources = choice_lookup(PartnerSource)
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
                excel_mangled = EXCEL_NUMBER.fullmatch(values["credit_code"])
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
                changes["website"] = website_to_store(values["website"])
            except ValidationError as error:
                row.error(error.messages[0])
        self._clean_place(row, changes, region=region)
        owner_pk = self._clean_owner(row)
        contact = self._clean_contact(row, region=region, country=country)
        if row.errors:
            return
        partner = self._new_partner(changes, owner_pk)
        try:
            partner.full_clean(exclude=FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
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
            words = {ROLE_WORDS.get(word.casefold()) for word in ROLE_SEPARATORS.split(values["roles"]) if word}
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
            return phone_to_store(value, region, label=label, country=country), False
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


def register() -> None:
    """The importer, and the menu item that opens it; called from PartnersConfig.ready()."""
    from keshang.core.registry import MenuItem, register_menu_item

    register_importer(PartnerImporter.kind, PartnerImporter)
    register_menu_item(
        MenuItem(
            "partners", gettext_lazy("导入客商"), "partners:partner_import", "partners.partner", Action.ADD, order=90
        )
    )
