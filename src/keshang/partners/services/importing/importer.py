"""The partner importer: what the import is, what it loads once per file, and how it writes; reading a row is
:mod:`.rows`, matching it with existing partners :mod:`.matching`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from keshang.core.exceptions import ApplicationError
from keshang.core.importing import DuplicatePolicy, Importer, RegionResolver, Row, normalise_header
from keshang.core.models import Region
from keshang.core.permissions import Action, Scope
from keshang.core.scope import recheck_scope
from keshang.org.models import User

from ...countries import country_choices
from ...models import Contact, Industry, Partner, PartnerKind, PartnerLevel, PartnerSource, PartnerStatus
from ...selectors.partners import can_change_credit
from ..partners import update_partner
from ..parts import save_contact
from .bulk import create_partners_bulk
from .columns import FIELDS, KIND_ALIASES, PHONES_OPTION, ROLE_OPTION, choice_lookup
from .matching import PartnerMatchingMixin
from .rows import PartnerRowsMixin

__all__ = ["PartnerImporter"]


class PartnerImporter(PartnerRowsMixin, PartnerMatchingMixin, Importer):
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
        # Once per job, not per row (issue 12, finding 7): without the credit right a row naming a level is refused.
        self._may_set_credit = can_change_credit(user=self.actor)
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

    def describe(self, row: Row) -> str:
        return row.values.get("name", "")

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
                partner = update_partner(actor=self.actor, partner=partner, data=changes, confirm_duplicate=True)
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
                save_contact(actor=self.actor, partner=partner, contact=existing, data=data)
            return
        data = {"name": contact.name, "title": contact.title, "mobile": contact.mobile}
        data["mobile_unverified"] = contact.mobile_unverified
        data["is_primary"] = not partner.contacts.filter(is_primary=True).exists()
        save_contact(actor=self.actor, partner=partner, data=data)
