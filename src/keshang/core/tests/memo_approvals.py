"""The test-only Memo as an approvable document, and an organisation to approve in: shared by the approval engine,
routing, selector, page, API and browser tests.

The memo's amount is its ``phone`` field (a number), its department the submitter's; other facts and the
snapshot's lines come from ``MemoApprovable.facts_for`` / ``lines_for`` so each test sets what it needs.
Test modules import the fixtures ``memo_approvable`` and ``org`` from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection, transaction

from keshang.core import approvals
from keshang.core.approvals import Approvable, ApprovalFacts
from keshang.core.models import (
    ApprovalFlow,
    ApprovalStep,
    ApprovalTask,
    ApprovalTaskStatus,
    ApproverKind,
)
from keshang.core.tests.scopeapp.models import Memo
from keshang.org.tests.factories import DepartmentFactory, UserFactory

MEMO = "scopeapp.memo"


@dataclass
class MemoApprovable:
    """Registers scopeapp.memo as approvable for one test and records the callbacks it receives."""

    facts_for: dict = field(default_factory=dict)  # memo pk -> extra ApprovalFacts kwargs
    lines_for: dict = field(default_factory=dict)  # memo pk -> snapshot line rows
    headers: list = field(default_factory=lambda: ["商品", "数量", "单价"])  # the snapshot's line columns
    calls: list = field(default_factory=list)  # (callback, memo pk, actor pk, comment, inside a transaction)

    def facts(self, memo) -> ApprovalFacts:
        extra = dict(self.facts_for.get(memo.pk, {}))
        return ApprovalFacts(
            amount=Decimal(memo.phone or "0"),
            department_id=extra.pop("department_id", memo.department_id),
            **extra,
        )

    def snapshot(self, memo) -> dict:
        return {
            "fields": [["标题", memo.title], ["金额", memo.phone]],
            "lines": {"headers": self.headers, "rows": self.lines_for.get(memo.pk, [])},
        }

    def record(self, name, memo, actor, comment=""):
        self.calls.append((name, memo.pk, actor.pk, comment, connection.in_atomic_block))

    def approvable(self) -> Approvable:
        return Approvable(
            model_label=MEMO,
            verbose_name="备忘",
            facts=lambda memo: self.facts(memo),
            snapshot=self.snapshot,
            url=lambda memo: f"/memos/{memo.pk}/",
            on_approved=lambda memo, actor: self.record("approved", memo, actor),
            on_rejected=lambda memo, actor, comment: self.record("rejected", memo, actor, comment),
            on_returned=lambda memo, actor, comment: self.record("returned", memo, actor, comment),
        )


@pytest.fixture
def memo_approvable():
    recorder = MemoApprovable()
    approvals.register_approvable(recorder.approvable())
    yield recorder
    approvals.unregister_approvable(MEMO)


@dataclass
class Org:
    """总部 ⊃ 销售部 ⊃ 华东组; boss (总部) manages manager (销售部) who manages rep and rep2 (华东组)."""

    hq: object
    sales: object
    east: object
    boss: object
    manager: object
    rep: object
    rep2: object


@pytest.fixture
def org(db) -> Org:
    hq = DepartmentFactory(name="总部")
    sales = DepartmentFactory(name="销售部", parent=hq)
    east = DepartmentFactory(name="华东组", parent=sales)
    boss = UserFactory(username="boss", name="赵总", department=hq)
    manager = UserFactory(username="manager", name="钱经理", department=sales, manager=boss)
    rep = UserFactory(username="rep", name="孙销售", department=east, manager=manager)
    rep2 = UserFactory(username="rep2", name="李销售", department=east, manager=manager)
    return Org(hq, sales, east, boss, manager, rep, rep2)


def make_flow(*steps: dict, name="备忘审批", priority=100, departments=(), **conditions) -> ApprovalFlow:
    """A memo flow whose steps are dicts of ApprovalStep fields (``users`` a list)."""
    flow = ApprovalFlow.objects.create(name=name, document_type=MEMO, priority=priority, **conditions)
    flow.departments.set(departments)
    for order, step in enumerate(steps, start=1):
        step = {"name": f"第{order}步", "kind": ApproverKind.MANAGER, **step}
        users = step.pop("users", [])
        created = ApprovalStep.objects.create(flow=flow, order=order, **step)
        created.users.set(users)
    return flow


def make_memo(owner, *, amount="1000", title="采购备忘") -> Memo:
    return Memo.objects.create(title=title, phone=amount, owner=owner, department=owner.department)


def pending_tasks(request) -> list[ApprovalTask]:
    return list(request.tasks.filter(status=ApprovalTaskStatus.PENDING).order_by("pk"))


def submit(memo, actor, **kwargs):
    with transaction.atomic():
        return approvals.submit_for_approval(obj=memo, actor=actor, **kwargs)
