"""Demo organisation: a Chinese trading company with one user per persona (``keshang demo``)."""

from __future__ import annotations

import random

from faker import Faker

from keshang.core.notifications import notify
from keshang.core.permissions import Persona

from . import services
from .models import Department, Role, User

# (code, name, parent code)
DEPARTMENTS = [
    ("HQ", "总经办", None),
    ("SALES", "销售部", None),
    ("SALES-EAST", "华东销售组", "SALES"),
    ("SALES-SOUTH", "华南销售组", "SALES"),
    ("PURCHASE", "采购部", None),
    ("WAREHOUSE", "仓储物流部", None),
    ("FINANCE", "财务部", None),
    ("IT", "信息部", None),
]

# (username, persona, department code, position, manager username)
DEMO_USERS = [
    ("boss", Persona.MANAGEMENT, "HQ", "总经理", None),
    ("manager", Persona.SALES_MANAGER, "SALES", "销售经理", "boss"),
    ("sales", Persona.SALES, "SALES-EAST", "销售代表", "manager"),
    ("sales2", Persona.SALES, "SALES-SOUTH", "销售代表", "manager"),
    ("purchaser", Persona.PURCHASER, "PURCHASE", "采购专员", "boss"),
    ("warehouse", Persona.WAREHOUSE, "WAREHOUSE", "仓库管理员", "boss"),
    ("finance", Persona.FINANCE, "FINANCE", "会计", "boss"),
    ("itadmin", Persona.ADMIN, "IT", "系统管理员", "boss"),
]


def load_org_demo(*, actor, password_for, stdout) -> dict[str, str]:
    """Create the departments and demo users; returns username → password for the summary."""
    fake = Faker("zh_CN")
    fake.seed_instance(2026)
    rng = random.Random(2026)
    departments: dict[str, Department] = {}
    for code, name, parent_code in DEPARTMENTS:
        department = Department.objects.filter(code=code).first()
        if department is None:
            department = services.create_department(
                actor=actor, name=name, code=code, parent=departments.get(parent_code)
            )
        departments[code] = department

    roles = {role.persona: role for role in Role.objects.exclude(persona="")}
    created: dict[str, str] = {}
    users = {}
    for username, persona, department_code, position, manager in DEMO_USERS:
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            users[username] = existing
            continue
        password = password_for(username)
        user = services.create_user(
            actor=actor,
            username=username,
            password=password,
            name=fake.name(),
            email=f"{username}@demo.keshang.cn",
            phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            department=departments[department_code],
            manager=users.get(manager),
            position=position,
            roles=[roles[persona]],
        )
        users[username] = user
        created[username] = password
    for code, head in (("SALES", "manager"), ("HQ", "boss"), ("IT", "itadmin")):
        department = departments[code]
        if department.head_id is None and head in users:
            services.update_department(actor=actor, department=department, data={"head": users[head]})
    _demo_company(actor)
    if created:
        notify(
            recipients=[users[name] for name in created],
            title="欢迎使用客商管理系统",
            body="这是演示账号。首次登录后请在右上角菜单中修改密码。",
        )
    return created


def _demo_company(actor) -> None:
    """The demo seller gets its credit code, address and bank account, so prints show a whole seller block."""
    company = services.ensure_default_company()
    if company is None or company.bank_accounts.exists():
        return
    services.save_company(
        actor=actor,
        instance=company,
        data={"credit_code": "91310000MA1FL8XQ37", "address": company.address or "上海市浦东新区世纪大道 100 号"},
    )
    services.save_company_bank_account(
        actor=actor,
        company=company,
        data={
            "bank_name": "招商银行上海分行",
            "account_name": company.name,
            "account_number": "6214830212345678",
            "is_default": True,
        },
    )
