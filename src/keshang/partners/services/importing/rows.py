"""Reading one row of the partner import: every cell checked and turned into what is stored, the partner built
and validated as the services would, the row refused with a reason for each bad cell."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from keshang.core.importing import Row, country_code, normalise_header

from ... import text
from ...models import Contact, Partner, PartnerSource
from .columns import (
    EXCEL_NUMBER,
    FOREIGN_KEYS,
    ROLE_FLAGS,
    ROLE_SEPARATORS,
    ROLE_WORDS,
    phone_to_store,
    website_to_store,
)

__all__ = ["PartnerRowsMixin"]


class PartnerRowsMixin:
    """``clean(row)`` of :class:`~.importer.PartnerImporter`, with the lookups its ``prepare()`` loaded."""

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
            # The country was checked above against the loaded codes: Django's check walks its ~245 choices
            # twice a row, which halved the import's speed.
            partner.full_clean(exclude=(*FOREIGN_KEYS, "country"), validate_unique=False, validate_constraints=False)
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
        if values.get("level") and not self._may_set_credit:
            label = self._labels["level"]
            row.error(_("您的角色不能设置信用额度与级别，请删除“%(label)s”列或留空。") % {"label": label})
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
