"""The supplier profile (main products, ratings 1–5), qualifications with certificate files, and the
expiry reminders sent 30, 7 and 1 days before a qualification expires, once each."""

import contextlib
import datetime
import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core import attachments
from keshang.core.exceptions import ApplicationError
from keshang.core.models import Attachment, AuditAction, AuditEntry, Notification
from keshang.core.permissions import Action, Persona, Scope
from keshang.org.models import Role
from keshang.org.services import ensure_default_roles
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import selectors, services, tasks
from keshang.partners.models import Qualification, SupplierProfile
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
EXPIRY = datetime.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def buyer():
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.ADD, Action.CHANGE], Scope.OWN)
    return user


@pytest.fixture
def supplier(buyer):
    return PartnerFactory(owner=buyer, is_customer=False, is_supplier=True)


def qualification(partner, **data) -> Qualification:
    data = {"name": "营业执照", "number": "91110000MA01", "expires_on": EXPIRY, **data}
    return services.save_qualification(actor=partner.owner, partner=partner, data=data)


def run_daily(first: datetime.date, last: datetime.date) -> dict[datetime.date, int]:
    """Run the reminder job once a day from ``first`` to ``last``; the days it sent something."""
    sent = {}
    day = first
    while day <= last:
        count = services.notify_expiring_qualifications(today=day)
        if count:
            sent[day] = count
        day += datetime.timedelta(days=1)
    return sent


#
# Profile and ratings
#


def test_a_buyer_saves_main_products_and_ratings_audited_on_the_supplier(supplier, buyer):
    # when
    profile = services.save_supplier_profile(
        actor=buyer,
        partner=supplier,
        data={"main_products": "不锈钢紧固件", "rating_delivery": 5, "rating_quality": 4, "rating_price": None},
    )
    # then
    profile.refresh_from_db()
    assert (profile.main_products, profile.rating_delivery, profile.rating_quality) == ("不锈钢紧固件", 5, 4)
    entry = AuditEntry.objects.for_object(supplier).get(
        action=AuditAction.CREATE, content_type=ContentType.objects.get_for_model(SupplierProfile)
    )
    assert entry.user == buyer and entry.object_id == str(profile.pk)


@pytest.mark.parametrize("rating", [0, 6, -1, True])
def test_ratings_outside_1_to_5_are_refused_with_a_chinese_message(supplier, buyer, rating):
    # when
    with pytest.raises(ValidationError) as refused:
        services.save_supplier_profile(actor=buyer, partner=supplier, data={"rating_quality": rating})
    # then
    assert refused.value.message_dict == {"rating_quality": ["质量评分须在 1 到 5 之间。"]}
    assert not SupplierProfile.objects.exists()


def test_the_profile_form_refuses_a_rating_outside_1_to_5(client, supplier, buyer):
    # given
    client.force_login(buyer)
    # when
    response = client.post(
        reverse("partners:supplierprofile_edit", args=[supplier.pk]), {"main_products": "螺丝", "rating_price": "9"}
    )
    # then
    assert response.status_code == 200
    assert response.context["form"].errors["rating_price"] == ["价格评分须在 1 到 5 之间。"]
    assert not SupplierProfile.objects.exists()


def test_the_profile_form_saves_and_the_tab_shows_the_ratings(client, supplier, buyer):
    # given
    client.force_login(buyer)
    # when
    saved = client.post(
        reverse("partners:supplierprofile_edit", args=[supplier.pk]),
        {"main_products": "螺丝、螺母", "rating_delivery": "4", "rating_service": ""},
    )
    tab = client.get(reverse("partners:partner_supplier", args=[supplier.pk])).content.decode()
    # then
    assert saved.status_code == 302 and saved["Location"] == reverse("partners:partner_supplier", args=[supplier.pk])
    assert "螺丝、螺母" in tab and "★★★★" in tab and "4 分" in tab


def test_the_api_reads_and_writes_the_profile_and_refuses_a_bad_rating(supplier, buyer):
    # given
    client = APIClient()
    client.force_authenticate(buyer)
    url = reverse("partners-api:partner-supplier-profile", args=[supplier.pk])
    # when
    empty = client.get(url)
    bad = client.put(url, {"main_products": "钢材", "rating_delivery": 6}, format="json")
    good = client.patch(url, {"main_products": "钢材", "rating_delivery": 3}, format="json")
    # then
    assert empty.status_code == 200 and empty.json()["rating_delivery"] is None
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"rating_delivery": ["交付评分须在 1 到 5 之间。"]}
    assert good.status_code == 200 and good.json()["rating_delivery"] == 3
    assert SupplierProfile.objects.get(partner=supplier).main_products == "钢材"


def test_the_profile_of_a_partner_the_user_cannot_change_is_404_and_readonly_users_get_403(supplier):
    # given
    stranger = UserFactory()
    grant(stranger, "partners.partner", [Action.VIEW, Action.CHANGE], Scope.OWN)
    viewer = UserFactory()
    grant(viewer, "partners.partner", [Action.VIEW], Scope.ALL)
    url = reverse("partners-api:partner-supplier-profile", args=[supplier.pk])
    clients = {}
    for name, user in (("stranger", stranger), ("viewer", viewer)):
        clients[name] = APIClient()
        clients[name].force_authenticate(user)
    # when
    stranger_put = clients["stranger"].put(url, {"rating_delivery": 1}, format="json")
    viewer_get = clients["viewer"].get(url)
    viewer_put = clients["viewer"].put(url, {"rating_delivery": 1}, format="json")
    # then
    assert (stranger_put.status_code, viewer_get.status_code, viewer_put.status_code) == (404, 200, 403)
    assert not SupplierProfile.objects.exists()


def test_a_customer_only_partner_has_no_supplier_profile(client, buyer):
    # given
    customer = PartnerFactory(owner=buyer)
    client.force_login(buyer)
    # when
    with pytest.raises(ApplicationError) as refused:
        services.save_supplier_profile(actor=buyer, partner=customer, data={"main_products": "x"})
    tab = client.get(reverse("partners:partner_supplier", args=[customer.pk])).content.decode()
    # then
    assert refused.value.code == "not_supplier"
    assert 'data-testid="not-supplier"' in tab


#
# Qualifications
#


def test_a_qualification_with_a_certificate_file_is_stored_and_downloadable(client, supplier, buyer, media):
    # given
    client.force_login(buyer)
    # when
    response = client.post(
        reverse("partners:qualification_add", args=[supplier.pk]),
        {
            "name": "ISO 9001",
            "number": "CN-9001",
            "issued_on": "2024-01-01",
            "expires_on": "2027-01-01",
            "file": SimpleUploadedFile("证书.pdf", PDF),
        },
    )
    saved = Qualification.objects.get()
    download = client.get(reverse("partners:qualification_file", args=[saved.pk]))
    # then
    assert response.status_code == 302
    assert (media / saved.file.name).read_bytes() == PDF
    assert saved.file.name.startswith("qualifications/") and "证书" not in saved.file.name
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="ISO 9001.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert (
        AuditEntry.objects.for_object(supplier)
        .filter(content_type=ContentType.objects.get_for_model(Qualification), object_id=str(saved.pk), action="create")
        .exists()
    )


def test_a_certificate_file_is_checked_like_any_attachment(client, supplier, buyer):
    # given
    client.force_login(buyer)
    # when
    response = client.post(
        reverse("partners:qualification_add", args=[supplier.pk]),
        {"name": "许可证", "file": SimpleUploadedFile("证书.pdf", b"MZ\x90\x00" + b"\x00" * 64)},
    )
    # then
    assert "不支持此文件类型" in str(response.context["form"].errors["file"])
    assert not Qualification.objects.exists()


def test_replacing_the_certificate_file_removes_the_old_one_after_commit(
    supplier, buyer, media, django_capture_on_commit_callbacks
):
    # given
    saved = services.save_qualification(
        actor=buyer, partner=supplier, data={"name": "许可证"}, upload=SimpleUploadedFile("旧.pdf", PDF)
    )
    old = media / saved.file.name
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.save_qualification(
            actor=buyer,
            partner=supplier,
            qualification=saved,
            data={},
            upload=SimpleUploadedFile("新.pdf", PDF + b"%new"),
        )
    # then
    saved.refresh_from_db()
    assert not old.exists()
    assert (media / saved.file.name).read_bytes() == PDF + b"%new"


def test_deleting_a_qualification_asks_first_and_returns_to_the_supplier_tab(client, supplier, buyer):
    # given
    saved = qualification(supplier)
    client.force_login(buyer)
    tab = reverse("partners:partner_supplier", args=[supplier.pk])
    # when
    confirm = client.get(reverse("partners:qualification_delete", args=[saved.pk])).content.decode()
    deleted = client.post(reverse("partners:qualification_delete", args=[saved.pk]))
    # then
    assert f'href="{tab}"' in confirm and "营业执照" in confirm
    assert deleted.status_code == 302 and deleted["Location"] == tab
    assert not Qualification.objects.exists()


def test_an_expiry_before_the_issue_date_is_refused(supplier, buyer):
    # when
    with pytest.raises(ValidationError) as refused:
        qualification(supplier, issued_on=datetime.date(2026, 6, 1), expires_on=datetime.date(2026, 5, 1))
    # then
    assert refused.value.message_dict == {"expires_on": ["到期日期不能早于发证日期。"]}


def test_the_qualification_api_creates_with_a_file_and_is_scoped(supplier, buyer):
    # given
    client = APIClient()
    client.force_authenticate(buyer)
    others = PartnerFactory(is_supplier=True)
    url = reverse("partners-api:qualification-list")
    # when
    created = client.post(
        url,
        {
            "partner": supplier.pk,
            "name": "生产许可证",
            "expires_on": "2027-03-01",
            "file": SimpleUploadedFile("a.pdf", PDF),
        },
        format="multipart",
    )
    foreign = client.post(url, {"partner": others.pk, "name": "伪造"}, format="json")
    listed = client.get(url, {"expires_on__lte": "2027-12-31"})
    # then
    assert created.status_code == 201, created.json()
    assert created.json()["file_url"] == reverse("partners-api:qualification-file", args=[created.json()["id"]])
    assert foreign.status_code == 400 and "partner" in foreign.json()["fields"]
    assert [row["name"] for row in listed.json()["results"]] == ["生产许可证"]


def test_expiring_qualifications_are_listed_within_the_users_scope(supplier, buyer):
    # given
    due = qualification(supplier, name="即将到期", expires_on=datetime.date(2026, 12, 10))
    qualification(supplier, name="还早", expires_on=datetime.date(2027, 6, 1))
    qualification(PartnerFactory(is_supplier=True), name="别人的", expires_on=datetime.date(2026, 12, 10))
    # when
    listed = selectors.list_expiring_qualifications(user=buyer, within_days=30, today=datetime.date(2026, 11, 20))
    # then
    assert list(listed) == [due]


def test_deleting_a_suppliers_records_removes_their_files_with_an_audit_trail(
    supplier, buyer, media, django_capture_on_commit_callbacks
):
    # given
    services.save_supplier_profile(actor=buyer, partner=supplier, data={"rating_price": 3})
    services.save_qualification(
        actor=buyer, partner=supplier, data={"name": "许可证"}, upload=SimpleUploadedFile("证.pdf", PDF)
    )
    attachments.upload_attachment(actor=buyer, obj=supplier, upload=SimpleUploadedFile("合同.pdf", PDF))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_supplier_records(actor=buyer, partner=supplier)
    # then
    assert not Qualification.objects.exists() and not SupplierProfile.objects.exists()
    assert not Attachment.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))
    assert AuditEntry.objects.for_object(supplier).filter(action=AuditAction.DELETE).count() == 3


#
# Expiry reminders
#


def test_reminders_fire_30_7_and_1_days_before_expiry_exactly_once_each(supplier, buyer):
    # given
    qualification(supplier)
    # when: the job runs every day from two months before until after the expiry
    sent = run_daily(datetime.date(2026, 11, 1), datetime.date(2027, 1, 15))
    # then
    assert sent == {datetime.date(2026, 12, 1): 1, datetime.date(2026, 12, 24): 1, datetime.date(2026, 12, 30): 1}
    notes = list(Notification.objects.filter(recipient=buyer).order_by("pk"))
    assert [note.title for note in notes] == [f"资质即将到期：{supplier.name} 营业执照"] * 3
    assert ["还有 30 天" in notes[0].body, "还有 7 天" in notes[1].body, "还有 1 天" in notes[2].body] == [True] * 3
    assert notes[0].url == reverse("partners:partner_supplier", args=[supplier.pk])
    assert [note.level for note in notes] == ["warning", "warning", "danger"]


def test_running_the_job_twice_on_the_same_day_reminds_once(supplier, buyer):
    # given
    qualification(supplier)
    day = datetime.date(2026, 12, 1)
    # when
    counts = [services.notify_expiring_qualifications(today=day) for _ in range(2)]
    # then
    assert counts == [1, 0]
    assert Notification.objects.filter(recipient=buyer).count() == 1


def test_a_missed_day_is_caught_up_once_in_the_same_window(supplier, buyer):
    # given: the job did not run on the 30th day before expiry
    qualification(supplier)
    # when
    sent = run_daily(datetime.date(2026, 12, 5), datetime.date(2026, 12, 20))
    # then
    assert sent == {datetime.date(2026, 12, 5): 1}


def test_a_new_expiry_date_starts_the_reminders_again(supplier, buyer):
    # given: reminded 30 days before the old expiry, then the certificate is renewed for a year
    saved = qualification(supplier)
    services.notify_expiring_qualifications(today=datetime.date(2026, 12, 1))
    renewed = services.save_qualification(
        actor=buyer, partner=supplier, qualification=saved, data={"expires_on": datetime.date(2027, 12, 31)}
    )
    # when
    sent = run_daily(datetime.date(2026, 12, 2), datetime.date(2027, 12, 31))
    # then
    assert renewed.expiry_notified_on is None
    assert sorted(sent) == [datetime.date(2027, 12, 1), datetime.date(2027, 12, 24), datetime.date(2027, 12, 30)]


def test_an_already_expired_qualification_is_reminded_once(supplier, buyer):
    # given
    qualification(supplier, expires_on=datetime.date(2026, 10, 1))
    # when
    sent = run_daily(datetime.date(2026, 11, 1), datetime.date(2026, 11, 10))
    # then
    assert sent == {datetime.date(2026, 11, 1): 1}
    note = Notification.objects.get(recipient=buyer)
    assert note.title == f"资质已到期：{supplier.name} 营业执照"


def test_a_supplier_in_the_pool_reminds_administrators_not_sales_reps(supplier):
    # given
    ensure_default_roles()
    admin = UserFactory()
    admin.roles.add(Role.objects.get(persona=Persona.ADMIN))
    rep = UserFactory()
    rep.roles.add(Role.objects.get(persona=Persona.SALES))
    superuser = UserFactory(is_superuser=True)
    pooled = PartnerFactory(owner=None, is_supplier=True)
    qualification(pooled)
    # when
    services.notify_expiring_qualifications(today=datetime.date(2026, 12, 1))
    # then
    assert set(Notification.objects.values_list("recipient", flat=True)) == {admin.pk, superuser.pk}


def test_the_reminder_is_recorded_in_the_suppliers_history(supplier):
    # given
    qualification(supplier)
    # when
    services.notify_expiring_qualifications(today=datetime.date(2026, 12, 1))
    # then
    entry = AuditEntry.objects.for_object(supplier).get(
        action=AuditAction.UPDATE, content_type=ContentType.objects.get_for_model(Qualification)
    )
    assert entry.user is None and entry.message == "已发送到期提醒"
    assert entry.after["expiry_notified_on"] == "2026-12-01"


def test_the_daily_task_reminds_about_what_expires_in_30_days_from_today(supplier, buyer):
    # given
    from django.utils import timezone

    qualification(supplier, expires_on=timezone.localdate() + datetime.timedelta(days=30))
    # when
    sent = tasks.remind_expiring_qualifications.call_local()
    # then
    assert sent == 1
    assert Notification.objects.filter(recipient=buyer).count() == 1


@contextlib.contextmanager
def scheduled_in(settings, time_zone: str):
    """partners.tasks as if the company were in ``time_zone``: a schedule is fixed when its module is imported,
    so the module is imported again there (and once more as it was, afterwards)."""
    original = settings.TIME_ZONE
    _unregister_tasks()
    settings.TIME_ZONE = time_zone
    try:
        yield importlib.reload(tasks)
    finally:
        _unregister_tasks()
        settings.TIME_ZONE = original
        importlib.reload(tasks)


def _unregister_tasks() -> None:
    """Every periodic task of the module: reloading it registers them all again."""
    tasks.remind_expiring_qualifications.unregister()
    tasks.recycle_idle_partners_task.unregister()


def test_the_expiry_reminder_runs_at_nine_in_the_companys_time_zone(settings):
    # given a company in Tokyo (UTC+9 all year): 09:00 there is 00:00 on Huey's UTC clock
    with scheduled_in(settings, "Asia/Tokyo") as module:
        # when the schedule is read
        task = module.remind_expiring_qualifications.task_class()
        # then it fires at 09:00 Tokyo time, as the partner jobs follow TIME_ZONE too
        assert task.validate_datetime(datetime.datetime(2026, 6, 30, 0, 0))
        assert not task.validate_datetime(datetime.datetime(2026, 6, 30, 1, 0))
