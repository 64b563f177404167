"""A small company with one record of every kind per owner, for the permission matrix and the masking tests.

销售部 (manager) over 华东 (rep, peer); 采购部 (buyer); 仓储部 (outsider, who owns nothing). Each of the four
owners has a partner with a contact, an address, a bank account, a qualification and an attachment, an
opportunity with a competitor, a quotation, a sales order, a contract, a customer price rule, an import job and an
approval delegation. The *actors* are the matrix's personas: each holds every action of every resource at
their scope (view_sensitive excepted: masking has its own tests), so what they see is decided by scope alone.

``expected_visible()`` is the matrix's oracle: it decides from the rows' own owner and department columns,
in Python, which rows a scope opens, independently of ``visible_to``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from rest_framework.test import APIClient

from keshang.catalog.lines.pricing import LineInput
from keshang.catalog.models import PriceRuleKind, Unit
from keshang.catalog.tests.factories import (
    BrandFactory,
    CategoryFactory,
    PriceRuleFactory,
    ProductFactory,
    ProductUnitFactory,
)
from keshang.contracts import services as contract_services
from keshang.contracts.models import ContractCategory, ContractKind, ContractTemplate, DocumentKind
from keshang.contracts.services import archive as archive_services
from keshang.contracts.services import certificates as certificate_services
from keshang.contracts.services.signing import store_document
from keshang.core import attachments
from keshang.core.models import (
    ApprovalDelegation,
    ApprovalFlow,
    BackupRun,
    BackupStatus,
    Currency,
    ExchangeRate,
    ImportJob,
    Region,
    RegionLevel,
)
from keshang.core.permissions import Action, Scope, get_resource, resource_for_model, resources
from keshang.core.testing.files import PDF_BYTES, png_bytes
from keshang.org.models import Department, Role, User
from keshang.org.services import ensure_default_company, save_company_bank_account
from keshang.org.tests.factories import DepartmentFactory, UserFactory
from keshang.partners import services as partner_services
from keshang.partners.models import Handover, HandoverKind, Industry, PartnerLevel, Tag
from keshang.partners.services import ensure_pool_rules
from keshang.partners.tests.factories import ContactFactory, PartnerFactory
from keshang.sales.services import opportunities, orders, quotations
from keshang.sales.tests.factories import OpportunityFactory, default_stages

__all__ = ["World", "matrix_world", "build_world", "row_visible", "expected_visible", "PERSONAS", "OWNERS"]

# Owner key → (username, the word every one of their records carries, department key).
OWNERS = {
    "manager": ("mx_manager", "东岳", "sales"),
    "rep": ("mx_rep", "西岭", "east"),
    "peer": ("mx_peer", "南山", "east"),
    "buyer": ("mx_buyer", "北海", "purchasing"),
}

# Persona → (user key, scope). ``no_grant`` holds no role at all; ``outside`` holds every grant at
# department scope in a department where nobody owns anything; the others are owners at their scope.
PERSONAS = {
    "anonymous": (None, None),
    "no_grant": ("nobody", None),
    "outside": ("outsider", Scope.DEPARTMENT),
    "own": ("peer", Scope.OWN),
    "department": ("rep", Scope.DEPARTMENT),
    "department_tree": ("manager", Scope.DEPARTMENT_TREE),
    "all": ("buyer", Scope.ALL),
}


@dataclass
class World:
    departments: dict[str, Department]
    users: dict[str, User]
    # records[owner key][kind] → the record of that owner
    records: dict[str, dict[str, object]] = field(default_factory=dict)
    shared: dict[str, object] = field(default_factory=dict)
    clients: dict[tuple[str, bool], object] = field(default_factory=dict)

    def persona(self, name: str) -> tuple[User | None, str | None]:
        user_key, scope = PERSONAS[name]
        return (self.users[user_key] if user_key else None), scope

    def word(self, owner: str) -> str:
        return OWNERS[owner][1]

    def owner_of_word(self, text: str) -> set[str]:
        """The owners whose word appears in ``text``."""
        return {owner for owner, (_username, word, _dept) in OWNERS.items() if word in text}


def grant_everything(user: User, scope: str) -> None:
    """Every action of every resource but view_sensitive, at ``scope`` (one role)."""
    from keshang.org.models import Grant
    from keshang.org.tests.factories import RoleFactory

    role = RoleFactory(name=f"矩阵-{user.username}")
    for resource in resources():
        actions = [action for action in resource.actions if action != Action.VIEW_SENSITIVE]
        Grant.objects.create(role=role, resource=resource.label, actions=actions, scope=scope)
    user.roles.add(role)
    user.forget_grants()


def build_world() -> World:
    sales = DepartmentFactory(name="矩阵销售部")
    east = DepartmentFactory(name="矩阵华东", parent=sales)
    purchasing = DepartmentFactory(name="矩阵采购部")
    warehouse = DepartmentFactory(name="矩阵仓储部")
    departments = {"sales": sales, "east": east, "purchasing": purchasing, "warehouse": warehouse}
    users = {}
    for key, (username, word, dept) in OWNERS.items():
        users[key] = UserFactory(username=username, name=f"{word}用户", department=departments[dept])
    users["rep"].manager = users["manager"]
    users["rep"].save(update_fields=["manager"])
    users["nobody"] = UserFactory(username="mx_nobody", name="无权用户", department=east)
    users["outsider"] = UserFactory(username="mx_outsider", name="局外用户", department=warehouse)
    for _persona, (user_key, scope) in PERSONAS.items():
        if user_key and scope:
            grant_everything(users[user_key], scope)
    world = World(departments=departments, users=users)

    stages = default_stages()
    first_stage = next(iter(sorted(stages.values(), key=lambda stage: stage.order)))
    product = ProductFactory(name="矩阵商品", cost_price=Decimal("61.23"), list_price=Decimal("113.00"))
    ensure_pool_rules()
    world.shared = {
        "product": product,
        "unit": Unit.objects.get_or_create(name="个")[0],
        "brand": BrandFactory(name="矩阵品牌"),
        "category": CategoryFactory(name="矩阵分类"),
        "industry": Industry.objects.create(name="矩阵行业"),
        "level": PartnerLevel.objects.create(name="矩阵级别", code="MX"),
        "tag": Tag.objects.create(name="矩阵标签"),
        "role": Role.objects.create(name="矩阵角色"),
        "stage": first_stage,
        "contract_category": ContractCategory.objects.create(name="矩阵合同分类"),
        # Not a default: the world's contracts print without a template (the matrix may delete this one).
        "contract_template": ContractTemplate.objects.create(
            name="矩阵合同模板", kind=ContractKind.PACKING, body="<p>甲方：{{甲方名称}}</p>"
        ),
        "flow": ApprovalFlow.objects.create(name="矩阵流程", document_type="sales.quotation", is_active=False),
        "product_unit": ProductUnitFactory(product=product),
        "region": Region.objects.unscoped().filter(code="44").first()
        or Region.objects.create(code="44", name="广东省", level=RegionLevel.PROVINCE, full_name="广东省"),
        "currency": Currency.objects.first() or Currency.objects.create(code="CNY", name="人民币", symbol="¥"),
        "backup_run": BackupRun.objects.create(
            created_by=users["buyer"], status=BackupStatus.DONE, file_name="keshang-20260105-031500.bak", size=1
        ),
        # A login throttle for the 登录限制 page to aim at (issue 12, finding 9).
        "login_throttle": AccessAttempt.objects.create(
            username="matrix-target",
            ip_address="203.0.113.9",
            user_agent="",
            get_data="",
            post_data="",
            http_accept="",
            path_info="/login/",
            failures_since_start=5,
        ),
    }
    world.shared["product_attachment"] = attachments.upload_attachment(
        actor=users["buyer"], obj=product, upload=SimpleUploadedFile("矩阵商品.png", png_bytes(), "image/png")
    )
    company = ensure_default_company()
    world.shared["company"] = company
    world.shared["company_bank_account"] = save_company_bank_account(
        actor=None,
        company=company,
        data={"bank_name": "矩阵银行", "account_name": company.name, "account_number": "6222020200000000001"},
    )
    world.shared["company_attachment"] = attachments.upload_attachment(
        actor=users["buyer"], obj=company, upload=SimpleUploadedFile("公章.png", png_bytes(), "image/png")
    )
    world.shared["certificate"] = certificate_services.generate_trial_certificate(actor=None, company=company)
    world.shared["exchange_rate"] = ExchangeRate.objects.create(
        currency=world.shared["currency"], date=datetime.date(2026, 1, 5), rate=Decimal("1")
    )
    # The sales contracts' default template, with a Word file: the contracts below print from it (下载 Word).
    world.shared["sales_contract_template"] = contract_services.save_template(
        actor=None,
        data={
            "name": "矩阵销售合同模板",
            "kind": ContractKind.SALES,
            "body": "<p>甲方：{{甲方名称}}</p><p>{{产品明细表}}</p>",
            "docx": word_bytes("甲方：{{甲方名称}}；合同金额：{{合同金额}}"),
            "is_default": True,
        },
    )
    for number, (key, (_username, word, _dept)) in enumerate(OWNERS.items(), start=1):
        owner = users[key]
        partner = PartnerFactory(
            name=f"{word}矩阵贸易有限公司",
            owner=owner,
            is_supplier=True,
            phone=f"1380013{number:04d}",
            email=f"{key}@matrix.example",
        )
        contact = ContactFactory(
            partner=partner,
            name=f"{word}联系人",
            mobile=f"1390013{number:04d}",
            phone=f"0755860013{number:02d}",
            email=f"contact.{key}@matrix.example",
            wechat=f"wx_matrix_{key}",
        )
        if not owner.phone:
            type(owner)._default_manager.filter(pk=owner.pk).update(phone=f"1360013{number:04d}")
            owner.phone = f"1360013{number:04d}"
        address = partner_services.save_address(
            actor=owner,
            partner=partner,
            data={"detail": f"{word}路{number}号", "contact_phone": f"1370013{number:04d}"},
        )
        account = partner_services.save_bank_account(
            actor=owner,
            partner=partner,
            data={"bank_name": f"{word}银行", "account_name": partner.name, "account_number": f"62220202{number:011d}"},
        )
        qualification = partner_services.save_qualification(
            actor=owner, partner=partner, data={"name": f"{word}资质", "number": f"QX{number}"}
        )
        attachment = attachments.upload_attachment(
            actor=owner, obj=partner, upload=SimpleUploadedFile(f"{word}.pdf", PDF_BYTES, "application/pdf")
        )
        opportunity = OpportunityFactory(name=f"{word}商机", owner=owner, partner=partner, stage=first_stage)
        competitor = opportunities.save_competitor(
            actor=owner, opportunity=opportunity, competitor=None, data={"name": f"{word}对手"}
        )
        document_line = LineInput(
            product=product, quantity=Decimal("2"), unit_price=None, price_entry="gross", discount_percent=Decimal("0")
        )
        quotation = quotations.create_quotation(actor=owner, data={"partner": partner}, lines=[document_line])
        order = orders.create_sales_order(actor=owner, data={"partner": partner}, lines=[document_line])
        contract = contract_services.create_contract(
            actor=owner,
            data={"partner": partner, "title": f"{word}合同"},
            lines=[document_line],
            stages=[contract_services.StageInput(name="全款", percent=Decimal("100"))],
        )
        attachments.upload_attachment(
            actor=owner, obj=contract, upload=SimpleUploadedFile(f"{word}合同扫描件.pdf", PDF_BYTES, "application/pdf")
        )
        signed = contract_services.create_contract(
            actor=owner,
            data={"partner": partner, "title": f"{word}签署合同"},
            lines=[document_line],
            stages=[contract_services.StageInput(name="全款", percent=Decimal("100"))],
        )
        # A signed file and the archive, stored as the signing services store them (issue 13).
        contract_document = store_document(
            contract=signed, kind=DocumentKind.BOTH_SIGNED, content=PDF_BYTES, actor=owner, signer_name=f"{word}签署人"
        )
        contract_archive = archive_services.archive_contract(contract=signed, document=contract_document, actor=owner)
        price_rule = PriceRuleFactory(product=product, kind=PriceRuleKind.CUSTOMER, partner=partner)
        handover = Handover.objects.create(
            partner=partner, kind=HandoverKind.ASSIGN, to_owner=owner, created_by=owner, notes=f"{word}交接"
        )
        import_job = ImportJob.objects.create(
            kind="partners", original_name=f"{word}.xlsx", created_by=owner, file=f"imports/{word}.xlsx"
        )
        delegation = ApprovalDelegation.objects.create(
            user=owner,
            delegate=users["nobody"],
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 1, 31),
            note=f"{word}委托",
        )
        world.records[key] = {
            "partners.partner": partner,
            "partners.contact": contact,
            "partners.address": address,
            "partners.bankaccount": account,
            "partners.qualification": qualification,
            "core.attachment": attachment,
            "sales.opportunity": opportunity,
            "sales.competitor": competitor,
            "sales.quotation": quotation,
            "sales.salesorder": order,
            "contracts.contract": contract,
            "contracts.contractdocument": contract_document,
            "contracts.contractarchive": contract_archive,
            "catalog.pricerule": price_rule,
            "partners.handover": handover,
            "core.importjob": import_job,
            "core.approvaldelegation": delegation,
            "org.user": owner,
            "org.department": owner.department,
        }
    return world


def word_bytes(text: str) -> bytes:
    """A one-paragraph Word (.docx) file."""
    from io import BytesIO

    from docx import Document

    document = Document()
    document.add_paragraph(text)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module", name="world")
def matrix_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per test module inside a transaction rolled back after the module's last test,
    with a signed-in client per persona (API and pages) in ``world.clients[persona, api]``."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            built.users["root"] = UserFactory(username="mx_root", is_superuser=True, is_staff=True)
            # Signed in once: a sign-in writes a session and an audit entry, too slow and too noisy per request.
            built.clients = {
                (persona, api): _sign_in(built, persona, api=api)
                for persona in (*PERSONAS, "root")
                for api in (True, False)
            }
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _sign_in(world: World, persona: str, *, api: bool):
    user = world.persona(persona)[0] if persona in PERSONAS else world.users[persona]
    client = APIClient() if api else Client()
    if user is not None:
        if api:
            client.force_authenticate(user=user)
        else:
            client.force_login(user)
    return client


#
# The oracle
#


def _department_tree(department_id: int) -> set[int]:
    """The department and all below it, walked through ``parent`` (not the stored path ``visible_to`` uses)."""
    found, frontier = {department_id}, {department_id}
    while frontier:
        frontier = set(Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


def row_visible(obj, *, user: User | None, scope: str | None) -> bool:
    """Whether ``scope`` opens ``obj`` to ``user``, from the row's own columns (no collaborators in the world)."""
    model = type(obj)
    parent = getattr(model, "scope_parent", None)
    for name in getattr(model, "scope_related", ()):
        related = getattr(obj, name)
        if related is not None and not row_visible(
            related, user=user, scope=user and user.grant_scope(resource_for_model(type(related)), Action.VIEW)
        ):
            return False
    if parent:
        return row_visible(getattr(obj, parent), user=user, scope=scope)
    if user is None or scope is None:
        return False
    resource = get_resource(resource_for_model(model))
    if resource is None or not resource.scoped or scope == Scope.ALL:
        return resource is not None
    owner_field = getattr(model, "scope_owner_field", None)
    department_field = getattr(model, "scope_department_field", None)
    owner_id = obj.pk if owner_field == "pk" else getattr(obj, f"{owner_field}_id", None) if owner_field else None
    if owner_id == user.pk:
        return True
    department_id = (
        obj.pk
        if department_field == "pk"
        else getattr(obj, f"{department_field}_id", None)
        if department_field
        else None
    )
    if department_id is None or user.department_id is None:
        return False
    if scope == Scope.DEPARTMENT:
        return department_id == user.department_id
    if scope == Scope.DEPARTMENT_TREE:
        return department_id in _department_tree(user.department_id)
    return False


def expected_visible(queryset, *, user: User | None, scope: str | None) -> set[int]:
    """The pks of ``queryset`` (an unscoped read of all rows) that the persona should see."""
    return {obj.pk for obj in queryset if row_visible(obj, user=user, scope=scope)}
