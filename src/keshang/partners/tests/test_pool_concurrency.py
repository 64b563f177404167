"""Claiming from the pool under concurrency: the claim limit holds and a partner has one winner."""

from __future__ import annotations

import pytest

from keshang.core.permissions import Action, Scope
from keshang.core.testing.concurrency import WORKERS, run_together
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import services
from keshang.partners.models import Handover, HandoverKind, Partner, PoolRules
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = WORKERS


def make_rep():
    rep = UserFactory(department=DepartmentFactory())
    grant(rep, "partners.partner", [Action.VIEW, Action.ADD, Action.CHANGE], Scope.OWN)
    grant(rep, "partners.customerpool", [Action.ADD], Scope.ALL)
    return rep


def claim_together(claims: list[tuple]) -> tuple[list, list]:
    """Run each (actor, partner) claim in its own thread and connection, all starting at once."""
    return run_together(
        [
            lambda actor=actor, partner=partner: services.claim_partner(actor=actor, partner=partner)
            for actor, partner in claims
        ]
    )


def test_one_rep_claiming_eight_customers_at_once_stops_at_the_limit():
    # given a limit of 3 and 8 pool customers
    PoolRules.objects.update_or_create(pk=services.get_pool_rules().pk, defaults={"max_owned_customers": 3})
    rep = make_rep()
    partners = PartnerFactory.create_batch(THREADS, owner=None)
    # when the rep claims all 8 at the same moment
    won, refused = claim_together([(rep, partner) for partner in partners])
    # then exactly 3 succeed and the others are told the limit
    assert len(won) == 3
    assert refused == ["claim_limit"] * (THREADS - 3)
    assert Partner.objects.filter(owner=rep).count() == 3
    assert Handover.objects.filter(kind=HandoverKind.CLAIM).count() == 3


def test_eight_reps_claiming_one_customer_at_once_have_one_winner():
    # given one pool customer and 8 reps
    services.get_pool_rules()
    partner = PartnerFactory(owner=None)
    reps = [make_rep() for _ in range(THREADS)]
    # when they all claim it at the same moment
    won, refused = claim_together([(rep, partner) for rep in reps])
    # then one wins, the others are told it is taken
    assert len(won) == 1
    assert refused == ["already_claimed"] * (THREADS - 1)
    assert Partner.objects.get(pk=partner.pk).owner == won[0].to_owner
    assert Handover.objects.filter(kind=HandoverKind.CLAIM).count() == 1
