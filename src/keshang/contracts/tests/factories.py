"""Helpers for contract tests: the sales team of the sales tests with grants on contracts, a supplier, and
contracts in the states a test needs."""

from decimal import Decimal

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import grant
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.tests.document_factories import Team, line, make_team

from .. import services
from ..services import StageInput

__all__ = ["make_contract_team", "make_contract", "stages", "approved", "effective", "CONTRACT_ACTIONS"]

CONTRACT_ACTIONS = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)


def make_contract_team() -> Team:
    """The sales tests' team (a manager over a rep, a customer of the rep's, a product at 113 含税), with contract
    grants: the rep their own, the manager their department's (approving too)."""
    team = make_team()
    grant(team.rep, "contracts.contract", CONTRACT_ACTIONS, Scope.OWN)
    grant(team.other_rep, "contracts.contract", CONTRACT_ACTIONS, Scope.OWN)
    grant(team.manager, "contracts.contract", (*CONTRACT_ACTIONS, Action.APPROVE, Action.VIEW_SENSITIVE),
          Scope.DEPARTMENT_TREE)  # fmt: skip
    team.supplier = PartnerFactory(owner=team.rep, is_customer=False, is_supplier=True, name="苏州精密零件有限公司")
    return team


def stages(*shares: str) -> list[StageInput]:
    """Stages of the given percents ("30", "70"), due N days after signing."""
    return [StageInput(name=f"第{index}期", percent=Decimal(share)) for index, share in enumerate(shares, start=1)]


def make_contract(team: Team, *lines, stage_list=None, actor=None, **data):
    return services.create_contract(
        actor=actor or team.rep,
        data={"partner": team.partner, "title": "年度供货合同", **data},
        lines=list(lines) or [line(team.product, "10")],
        stages=stages("30", "70") if stage_list is None else stage_list,
    )


def approved(team: Team, contract=None):
    return services.submit_contract(actor=team.rep, contract=contract or make_contract(team))


def effective(team: Team, contract=None):
    return services.record_signed(actor=team.rep, contract=approved(team, contract))
