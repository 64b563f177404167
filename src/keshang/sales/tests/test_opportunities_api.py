"""REST API of opportunities, competitors, stage history and stages on the one API test base, plus the
move and funnel endpoints."""

from decimal import Decimal

import pytest
from django.urls import reverse

from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.models import Competitor, OpportunityStage, OpportunityStageChange, OpportunityStatus
from keshang.sales.tests.factories import OpportunityFactory, OpportunityStageFactory, default_stages

SUPPORT = (
    ("partners.partner", (Action.VIEW, Action.CHANGE), Scope.DEPARTMENT),
    ("sales.opportunitystage", (Action.VIEW,), Scope.ALL),
    ("org.user", (Action.VIEW,), Scope.DEPARTMENT),
    ("org.department", (Action.VIEW,), Scope.DEPARTMENT),
)


class TestOpportunityAPI(APIResourceTests):
    resource = "sales.opportunity"
    basename = "sales-api:opportunity"
    related_grants = SUPPORT

    def make_object(self, *, ctx, inside):
        return OpportunityFactory(owner=ctx.colleague if inside else ctx.stranger)

    def create_data(self, *, ctx):
        stage = OpportunityStageFactory(name="初步接洽")
        partner = PartnerFactory(owner=ctx.colleague)
        return {"name": "年度采购", "partner": partner.pk, "stage": stage.pk, "expected_amount": "120000.50"}

    def update_data(self, *, ctx, obj):
        return {"expected_amount": "99.99"}


class TestCompetitorAPI(APIResourceTests):
    resource = "sales.opportunity"
    basename = "sales-api:competitor"
    related_grants = SUPPORT

    def give(self, ctx, *actions, scope=None):
        # Competitors are parts: adding or deleting one is changing its opportunity.
        mapped = {Action.CHANGE if action in (Action.ADD, Action.DELETE) else action for action in actions}
        super().give(ctx, *mapped, scope=scope)

    def model(self):
        return Competitor

    def make_object(self, *, ctx, inside):
        opportunity = OpportunityFactory(owner=ctx.colleague if inside else ctx.stranger)
        return Competitor.objects.create(opportunity=opportunity, name="恒通工贸")

    def create_data(self, *, ctx):
        return {"opportunity": OpportunityFactory(owner=ctx.colleague).pk, "name": "华盛机电", "offer": "低 5%"}

    def update_data(self, *, ctx, obj):
        return {"strengths": "本地服务网点多"}

    def test_create_without_grant_is_403_and_writes_nothing(self, ctx):
        pytest.skip("adding a competitor is changing its opportunity: covered by the opportunity's change grant")

    def test_delete_without_grant_is_403_and_keeps_the_row(self, ctx):
        pytest.skip("deleting a competitor is changing its opportunity: covered by the opportunity's change grant")


class TestOpportunityStageChangeAPI(APIResourceTests):
    resource = "sales.opportunity"
    basename = "sales-api:opportunitystagechange"
    supports_write = False

    def model(self):
        return OpportunityStageChange

    def make_object(self, *, ctx, inside):
        opportunity = OpportunityFactory(owner=ctx.colleague if inside else ctx.stranger)
        return opportunity.stage_changes.get()


class TestOpportunityStageAPI(APIResourceTests):
    resource = "sales.opportunitystage"
    basename = "sales-api:opportunitystage"
    scoped = False

    def make_object(self, *, ctx, inside):
        return OpportunityStageFactory()

    def create_data(self, *, ctx):
        return {"name": "技术评估", "order": 25, "probability": 40}

    def update_data(self, *, ctx, obj):
        return {"probability": 30}


@pytest.fixture
def rep(api_client):
    user = UserFactory()
    grant(user, "sales.opportunity", [Action.VIEW, Action.CHANGE], Scope.OWN)
    grant(user, "sales.opportunitystage", [Action.VIEW], Scope.ALL)
    api_client.force_authenticate(user)
    return user


@pytest.mark.django_db
def test_move_endpoint_moves_and_records_history_and_audit(api_client, rep):
    # given
    stages = default_stages()
    opportunity = OpportunityFactory(owner=rep, stage=stages["初步接洽"], expected_amount=Decimal("1000.00"))
    url = reverse("sales-api:opportunity-move", kwargs={"pk": opportunity.pk})
    # when
    response = api_client.post(url, {"stage": stages["方案报价"].pk}, format="json")
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["stage"], body["stage_name"], body["weighted_amount"]) == (stages["方案报价"].pk, "方案报价", "500.00")
    assert opportunity.stage_changes.filter(to_stage=stages["方案报价"], changed_by=rep).exists()
    assert AuditEntry.objects.filter(object_id=str(opportunity.pk), action=AuditAction.STATE).count() == 1


@pytest.mark.django_db
def test_move_to_lost_needs_a_reason_and_says_so_on_the_field(api_client, rep):
    # given
    stages = default_stages()
    opportunity = OpportunityFactory(owner=rep, stage=stages["商务谈判"])
    url = reverse("sales-api:opportunity-move", kwargs={"pk": opportunity.pk})
    # when
    refused = api_client.post(url, {"stage": stages["输单"].pk}, format="json")
    moved = api_client.post(url, {"stage": stages["输单"].pk, "reason": "价格高于竞争对手"}, format="json")
    # then
    assert refused.status_code == 400
    assert refused.json()["code"] == "close_reason_required"
    assert "reason" in refused.json()["fields"]
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["close_reason"]) == (OpportunityStatus.LOST, "价格高于竞争对手")


@pytest.mark.django_db
def test_move_of_someone_elses_opportunity_is_404_and_changes_nothing(api_client, rep):
    # given
    stages = default_stages()
    hidden = OpportunityFactory(stage=stages["初步接洽"])
    # when
    response = api_client.post(
        reverse("sales-api:opportunity-move", kwargs={"pk": hidden.pk}), {"stage": stages["方案报价"].pk}, format="json"
    )
    # then
    assert response.status_code == 404
    assert hidden.stage_changes.count() == 1


@pytest.mark.django_db
def test_funnel_endpoint_gives_exact_decimal_strings_within_scope(api_client, rep):
    # given
    stages = default_stages()
    OpportunityFactory(owner=rep, stage=stages["需求确认"], expected_amount=Decimal("100.10"))
    OpportunityFactory(stage=stages["需求确认"], expected_amount=Decimal("5000.00"))  # not the rep's
    # when
    response = api_client.get(reverse("sales-api:opportunity-funnel"))
    # then
    assert response.status_code == 200
    body = response.json()
    row = next(item for item in body["stages"] if item["name"] == "需求确认")
    assert (row["count"], row["amount"], row["weighted"]) == (1, "100.10", "25.03")
    assert (body["count"], body["amount"], body["weighted_total"]) == (1, "100.10", "25.03")


@pytest.mark.django_db
def test_creating_on_an_invisible_customer_is_a_field_error(api_client, rep):
    # given
    grant(rep, "sales.opportunity", [Action.ADD], Scope.OWN)
    grant(rep, "partners.partner", [Action.VIEW], Scope.OWN)
    stage = OpportunityStageFactory()
    hidden = PartnerFactory()
    # when
    response = api_client.post(
        reverse("sales-api:opportunity-list"),
        {"name": "抢单", "partner": hidden.pk, "stage": stage.pk, "expected_amount": "1.00"},
        format="json",
    )
    # then
    assert response.status_code == 400
    assert "partner" in response.json()["fields"]
    assert not OpportunityStage.objects.exclude(pk=stage.pk).exists()
