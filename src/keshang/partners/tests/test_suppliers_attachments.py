"""Partner attachments on the pages and through the API: permissions are the partner's.

Viewing and downloading need "view" on the partner, uploading and deleting "change"; a partner the
user cannot view is a 404 everywhere, one they may only view is a 403 for writes. Nothing here
depends on view_sensitive.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core import attachments
from keshang.core.models import Attachment, AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.core.testing.files import PDF_BYTES as PDF
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners.models import Partner
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def pdf(name="报价单.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def page_url(partner, view="list", attachment=None):
    args = [partner.pk] if attachment is None else [partner.pk, attachment.pk]
    return reverse(attachments.attachment_url_name(Partner, view), args=args)


def api_url(partner, view="list", attachment=None):
    kwargs = {"pk": partner.pk} if attachment is None else {"pk": partner.pk, "attachment_pk": attachment.pk}
    return reverse(attachments.attachment_api_url_name(Partner, view), kwargs=kwargs)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def rep():
    """A sales rep: view and change their own partners, without view_sensitive."""
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.ADD, Action.CHANGE], Scope.OWN)
    return user


@pytest.fixture
def viewer():
    """Sees every partner, changes none (like the warehouse persona)."""
    user = UserFactory()
    grant(user, "partners.partner", [Action.VIEW], Scope.ALL)
    return user


@pytest.fixture
def own(rep):
    partner = PartnerFactory(owner=rep)
    attachments.upload_attachment(actor=rep, obj=partner, upload=pdf("合同.pdf"))
    return partner


@pytest.fixture
def others():
    partner = PartnerFactory()
    attachments.upload_attachment(actor=partner.owner, obj=partner, upload=pdf("别人的合同.pdf"))
    return partner


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


#
# Pages
#


def test_the_attachments_tab_lists_uploads_and_deletes_for_a_rep_on_their_own_partner(
    client, rep, own, media, django_capture_on_commit_callbacks
):
    # given
    client.force_login(rep)
    # when: list, upload, delete
    listed = client.get(page_url(own))
    uploaded = client.post(page_url(own), {"file": pdf("新报价.pdf")})
    new = Attachment.objects.for_object(own).get(name="新报价.pdf")
    confirm = client.get(page_url(own, "delete", new))
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(page_url(own, "delete", new))
    # then
    assert listed.status_code == 200
    content = listed.content.decode()
    assert "合同.pdf" in content and 'enctype="multipart/form-data"' in content
    assert uploaded.status_code == 302 and uploaded["Location"] == page_url(own)
    assert confirm.status_code == 200 and "新报价.pdf" in confirm.content.decode()
    assert deleted.status_code == 302
    assert not Attachment.objects.filter(pk=new.pk).exists()
    assert not (media / new.file.name).exists()
    history = client.get(reverse("partners:partner_history", args=[own.pk])).content.decode()
    assert "新报价.pdf" in history


def test_the_partner_detail_page_has_an_attachments_tab(client, rep, own):
    # given
    client.force_login(rep)
    # when
    content = client.get(reverse("partners:partner_detail", args=[own.pk])).content.decode()
    # then
    assert f'href="{page_url(own)}"' in content and "附件" in content


def test_a_download_streams_the_file_under_its_original_name(client, rep, own):
    # given
    client.force_login(rep)
    attachment = Attachment.objects.for_object(own).get()
    # when
    response = client.get(page_url(own, "download", attachment))
    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%90%88%E5%90%8C.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_rep_gets_404_on_list_download_upload_and_delete_of_a_partner_they_cannot_view(client, rep, others):
    # given
    client.force_login(rep)
    attachment = Attachment.objects.for_object(others).get()
    # when
    responses = [
        client.get(page_url(others)),
        client.get(page_url(others, "download", attachment)),
        client.post(page_url(others), {"file": pdf()}),
        client.get(page_url(others, "delete", attachment)),
        client.post(page_url(others, "delete", attachment)),
    ]
    # then
    assert [response.status_code for response in responses] == [404] * 5
    assert list(Attachment.objects.for_object(others)) == [attachment]


def test_an_attachment_is_reached_only_through_its_own_partner(client, rep, own, others):
    # given: the rep's own partner in the URL, someone else's attachment id
    client.force_login(rep)
    foreign = Attachment.objects.for_object(others).get()
    # when
    download = client.get(page_url(own, "download", foreign))
    delete = client.post(page_url(own, "delete", foreign))
    # then
    assert (download.status_code, delete.status_code) == (404, 404)
    assert Attachment.objects.filter(pk=foreign.pk).exists()


def test_a_user_who_may_only_view_downloads_but_gets_403_on_upload_and_delete(client, viewer, own):
    # given
    client.force_login(viewer)
    attachment = Attachment.objects.for_object(own).get()
    # when
    listed = client.get(page_url(own))
    download = client.get(page_url(own, "download", attachment))
    upload = client.post(page_url(own), {"file": pdf("偷偷上传.pdf")})
    delete = client.post(page_url(own, "delete", attachment))
    # then
    assert listed.status_code == 200 and 'enctype="multipart/form-data"' not in listed.content.decode()
    assert download.status_code == 200
    assert (upload.status_code, delete.status_code) == (403, 403)
    assert list(Attachment.objects.for_object(own)) == [attachment]


def test_a_user_who_may_change_some_partners_but_only_view_this_one_gets_403_on_upload(client, own):
    # given: change on their own partners, view on all
    user = UserFactory()
    grant(user, "partners.partner", [Action.VIEW], Scope.ALL)
    grant(user, "partners.partner", [Action.CHANGE], Scope.OWN)
    client.force_login(user)
    # when
    response = client.post(page_url(own), {"file": pdf("偷偷上传.pdf")})
    # then
    assert response.status_code == 403
    assert not Attachment.objects.filter(name="偷偷上传.pdf").exists()


def test_a_user_without_any_partner_grant_gets_403(client, own):
    # given
    client.force_login(UserFactory())
    # when
    response = client.get(page_url(own))
    # then
    assert response.status_code == 403


def test_a_refused_upload_shows_a_chinese_field_message_and_stores_nothing(client, rep, own, media):
    # given
    client.force_login(rep)
    files_before = {path for path in media.rglob("*") if path.is_file()}
    exe = SimpleUploadedFile("报价单.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    # when
    response = client.post(page_url(own), {"file": exe})
    # then
    assert response.status_code == 200
    assert "不支持此文件类型" in response.content.decode()
    assert Attachment.objects.for_object(own).count() == 1
    assert {path for path in media.rglob("*") if path.is_file()} == files_before


#
# API
#


def test_the_api_lists_uploads_downloads_and_deletes(rep, own, django_capture_on_commit_callbacks):
    # given
    client = api_client(rep)
    # when
    listed = client.get(api_url(own))
    created = client.post(api_url(own), {"file": pdf("API 上传.pdf")}, format="multipart")
    new = Attachment.objects.get(pk=created.json()["id"])
    detail = client.get(api_url(own, "detail", new))
    download = client.get(created.json()["download_url"])
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.delete(api_url(own, "detail", new))
    # then
    assert listed.status_code == 200
    assert [row["name"] for row in listed.json()["results"]] == ["合同.pdf"]
    assert created.status_code == 201 and created.json()["mime_type"] == "application/pdf"
    assert detail.json()["name"] == "API 上传.pdf"
    assert b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert deleted.status_code == 204
    assert not Attachment.objects.filter(pk=new.pk).exists()
    actions = AuditEntry.objects.for_object(own).filter(object_id=str(new.pk)).values_list("action", flat=True)
    assert sorted(actions) == [AuditAction.CREATE, AuditAction.DELETE]


def test_the_api_answers_404_for_a_partner_the_user_cannot_view(rep, others):
    # given
    client = api_client(rep)
    attachment = Attachment.objects.for_object(others).get()
    # when
    responses = [
        client.get(api_url(others)),
        client.post(api_url(others), {"file": pdf()}, format="multipart"),
        client.get(api_url(others, "download", attachment)),
        client.delete(api_url(others, "detail", attachment)),
    ]
    # then
    assert [response.status_code for response in responses] == [404] * 4
    assert Attachment.objects.for_object(others).count() == 1


def test_the_api_answers_403_to_writes_by_a_user_who_may_only_view(viewer, own):
    # given
    client = api_client(viewer)
    attachment = Attachment.objects.for_object(own).get()
    # when
    listed = client.get(api_url(own))
    created = client.post(api_url(own), {"file": pdf()}, format="multipart")
    deleted = client.delete(api_url(own, "detail", attachment))
    # then
    assert listed.status_code == 200
    assert (created.status_code, deleted.status_code) == (403, 403)
    assert set(created.json()) == {"code", "message", "fields"}
    assert Attachment.objects.for_object(own).count() == 1


def test_the_api_refuses_an_html_upload_with_a_field_message(rep, own):
    # given
    client = api_client(rep)
    html = SimpleUploadedFile("页面.html", b"<!doctype html><html><script>alert(1)</script></html>")
    # when
    response = client.post(api_url(own), {"file": html}, format="multipart")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "不支持此文件类型" in response.json()["fields"]["file"][0]
    assert Attachment.objects.for_object(own).count() == 1


def test_the_api_refuses_a_file_over_the_limit(rep, own, settings):
    # given
    settings.KESHANG_ATTACHMENT_MAX_BYTES = 50
    client = api_client(rep)
    # when
    response = client.post(api_url(own), {"file": pdf()}, format="multipart")
    # then
    assert response.status_code == 400
    assert response.json()["fields"]["file"] == ["文件不能超过 50\xa0字节。"]
