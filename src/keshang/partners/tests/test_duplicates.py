"""The duplicate finder (查重, issue 3): the similarity join and the groups it reports."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import selectors
from keshang.partners.selectors import DuplicateReason
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    """A sales manager: "assign" on the partners of their department."""
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.CHANGE, Action.ASSIGN], Scope.DEPARTMENT)
    return user


def rep_in(department):
    return UserFactory(department=department)


def group_of(report, *partners):
    wanted = tuple(sorted(partner.pk for partner in partners))
    return next((group for group in report.groups if group.partner_ids == wanted), None)


#
# Similarity join
#


def brute_force_pairs(keys, threshold):
    return {
        tuple(sorted((a, b))) for a, b in itertools.combinations(sorted(set(keys)), 2) if fuzz.ratio(a, b) >= threshold
    }


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.text(alphabet="华为技术中兴通讯鑫源盛达", min_size=1, max_size=9), max_size=40),
    threshold=st.integers(min_value=70, max_value=100),
)
def test_the_similarity_join_finds_exactly_the_pairs_that_all_pairs_would(keys, threshold):
    # when
    pairs, _comparisons, truncated = selectors.similar_name_pairs(keys, threshold=threshold)
    # then
    assert not truncated
    assert {tuple(sorted((a, b))) for a, b, _score in pairs} == brute_force_pairs(keys, threshold)


def test_the_similarity_join_compares_far_fewer_pairs_than_all_pairs():
    # given: 2,000 distinct names that share few characters
    keys = [f"{chr(0x4E00 + n)}{chr(0x5E00 + n % 50)}{chr(0x6E00 + n % 7)}科技" for n in range(2000)]
    # when
    _pairs, comparisons, _truncated = selectors.similar_name_pairs(keys, threshold=90)
    # then
    assert comparisons < len(keys) * (len(keys) - 1) // 2 // 20


def test_the_similarity_join_stops_at_its_cap_and_says_so():
    # given
    keys = [f"华为技术{n}" for n in range(50)]
    # when
    _pairs, comparisons, truncated = selectors.similar_name_pairs(keys, threshold=70, max_candidates=100)
    # then
    assert truncated
    assert comparisons <= 100


#
# Finder
#


def test_finder_groups_partners_with_the_same_name_key_or_phone(manager):
    # given
    colleague = rep_in(manager.department)
    huawei = PartnerFactory(name="深圳市华为技术有限公司", owner=colleague)
    huawei_again = PartnerFactory(name="华为技术有限公司", owner=manager)
    by_phone = PartnerFactory(name="星河电子有限公司", owner=colleague, phone="0755-86001234")
    by_phone_again = PartnerFactory(name="银河贸易有限公司", owner=colleague, phone="(0755) 8600 1234")
    PartnerFactory(name="完全不同的公司", owner=colleague)
    # when
    report = selectors.find_duplicate_groups(user=manager)
    # then
    assert group_of(report, huawei, huawei_again).reasons == (DuplicateReason.NAME,)
    assert group_of(report, by_phone, by_phone_again).reasons == (DuplicateReason.PHONE,)
    assert len(report.groups) == 2


def test_finder_pairs_similar_names_above_the_threshold_with_their_score(manager):
    # given: 星辰精密机械 and 星辰精密机械厂 score 200·6/13 = 92
    colleague = rep_in(manager.department)
    first = PartnerFactory(name="星辰精密机械有限公司", owner=colleague)
    second = PartnerFactory(name="星辰精密机械厂", owner=colleague)
    # when
    at_90 = selectors.find_duplicate_groups(user=manager, threshold=90)
    at_95 = selectors.find_duplicate_groups(user=manager, threshold=95)
    # then
    group = group_of(at_90, first, second)
    assert group.reasons == (DuplicateReason.SIMILAR,)
    assert group.score == 92
    assert group.reason_display() == "名称相似 92%"
    assert at_95.groups == []


def test_a_group_found_for_several_reasons_is_one_group_with_every_reason(manager):
    # given
    colleague = rep_in(manager.department)
    first = PartnerFactory(name="华为技术有限公司", owner=colleague, phone="13800001234")
    second = PartnerFactory(name="华为技术股份有限公司", owner=colleague, phone="138 0000 1234")
    # when
    report = selectors.find_duplicate_groups(user=manager)
    # then
    assert [group.partner_ids for group in report.groups] == [(first.pk, second.pk)]
    assert report.groups[0].reasons == (DuplicateReason.NAME, DuplicateReason.PHONE)


def test_finder_leaves_out_partners_the_actor_may_not_assign(manager):
    # given: the same name in the manager's department and in another one
    inside = PartnerFactory(name="华为技术有限公司", owner=rep_in(manager.department))
    outside = PartnerFactory(name="华为技术有限公司", owner=UserFactory(department=DepartmentFactory()))
    admin = UserFactory()
    grant(admin, "partners.partner", [Action.ASSIGN], Scope.ALL)
    viewer = UserFactory(department=manager.department)
    grant(viewer, "partners.partner", [Action.VIEW, Action.CHANGE], Scope.ALL)
    # when
    for_manager = selectors.find_duplicate_groups(user=manager)
    for_viewer = selectors.find_duplicate_groups(user=viewer)
    for_admin = selectors.find_duplicate_groups(user=admin)
    # then
    assert for_manager.groups == [] and for_viewer.groups == []
    assert [group.partner_ids for group in for_admin.groups] == [(inside.pk, outside.pk)]


def test_finder_reports_only_the_reasons_asked_for(manager):
    # given
    colleague = rep_in(manager.department)
    PartnerFactory(name="华为技术有限公司", owner=colleague)
    PartnerFactory(name="华为技术股份有限公司", owner=colleague)
    by_phone = [PartnerFactory(name=name, owner=colleague, phone="13800001234") for name in ("甲公司", "乙公司")]
    # when
    report = selectors.find_duplicate_groups(user=manager, reasons=[DuplicateReason.PHONE])
    # then
    assert [group.partner_ids for group in report.groups] == [tuple(partner.pk for partner in by_phone)]


@pytest.mark.parametrize("threshold", [69, 101])
def test_finder_refuses_a_threshold_outside_70_to_100(manager, threshold):
    # when
    with pytest.raises(ValidationError) as error:
        selectors.find_duplicate_groups(user=manager, threshold=threshold)
    # then
    assert "70 到 100" in str(error.value)


def test_loading_members_drops_partners_merged_meanwhile(manager):
    # given
    colleague = rep_in(manager.department)
    partners = [PartnerFactory(name="华为技术有限公司", owner=colleague) for _ in range(2)]
    report = selectors.find_duplicate_groups(user=manager)
    partners[1].delete()
    # when
    loaded = selectors.load_group_members(user=manager, groups=report.groups)
    # then
    assert len(report.groups) == 1 and loaded == []
