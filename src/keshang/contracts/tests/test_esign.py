"""Electronic signing (issue 13): certificates, our signature, the signing link, the final document, verification,
the archive."""

import datetime
from io import BytesIO

import pytest
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from keshang.core.exceptions import ApplicationError

from .. import services
from ..models import (
    CompanyCertificate,
    ContractArchive,
    ContractDocument,
    ContractStatus,
    DocumentKind,
    SigningLink,
)
from ..signing import generate_trial_identity, verify_pdf
from .factories import approved, make_contract_team

pytestmark = pytest.mark.django_db
S = ContractStatus


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def team():
    return make_contract_team()


def signature_png() -> bytes:
    out = BytesIO()
    Image.new("RGBA", (200, 80), (0, 0, 200, 255)).save(out, format="PNG")
    return out.getvalue()


def with_certificate(team):
    contract = approved(team)
    services.generate_trial_certificate(actor=None, company=contract.seller)
    return contract


def signing(team):
    contract = with_certificate(team)
    return services.sign_contract(actor=team.rep, contract=contract)


def test_no_certificate_is_a_clear_refusal(team):
    contract = approved(team)
    with pytest.raises(ApplicationError) as refused:
        services.sign_contract(actor=team.rep, contract=contract)
    assert refused.value.code == "no_certificate"
    contract.refresh_from_db()
    assert contract.status == S.APPROVED and not ContractDocument.objects.exists()


def test_a_draft_cannot_be_signed(team):
    from .factories import make_contract

    contract = make_contract(team)
    services.generate_trial_certificate(actor=None, company=contract.seller)
    with pytest.raises(ApplicationError) as refused:
        services.sign_contract(actor=team.rep, contract=contract)
    assert refused.value.code == "invalid_transition"


def test_our_signature_makes_version_one_which_verifies(team):
    contract = signing(team)
    assert contract.status == S.SIGNING
    document = ContractDocument.objects.get(contract=contract)
    assert (document.version, document.kind) == (1, DocumentKind.OURS_SIGNED)
    content = document.file.read()
    verification = verify_pdf(content, known_fingerprints=services.known_fingerprints())
    assert verification.is_valid and len(verification.signatures) == 1
    assert verification.signed_by_known and "试用证书" in verification.signatures[0].known_as


def test_the_customer_signs_once_and_the_final_document_has_both_signatures(team):
    contract = signing(team)
    new = services.create_sign_link(actor=team.rep, contract=contract)
    document = services.sign_by_link(
        token=new.token, name="王五", agreed=True, image=signature_png(), ip="198.51.100.7", agent="pytest"
    )
    contract.refresh_from_db()
    assert contract.status == S.EFFECTIVE and contract.effective_at is not None
    assert (document.version, document.kind) == (2, DocumentKind.BOTH_SIGNED)
    verification = verify_pdf(document.file.read(), known_fingerprints=services.known_fingerprints())
    assert verification.is_valid and len(verification.signatures) == 2
    names = [report.signer_name for report in verification.signatures]
    assert names == [contract.seller.name, "王五"]
    assert all(report.known_as for report in verification.signatures)
    archive = ContractArchive.objects.get(contract=contract)
    assert archive.number.startswith("GD") and archive.sha256 == document.sha256
    # used: refused, nothing changes
    with pytest.raises(services.LinkUnavailable) as refused:
        services.sign_by_link(token=new.token, name="赵六", agreed=True)
    assert refused.value.code == "link_used"
    assert ContractDocument.objects.filter(contract=contract).count() == 2


def test_an_expired_or_unknown_link_changes_nothing(team):
    contract = signing(team)
    new = services.create_sign_link(actor=team.rep, contract=contract)
    SigningLink.objects.unscoped().filter(pk=new.link.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    for token, code in ((new.token, "link_expired"), ("nope", "link_unknown")):
        with pytest.raises(services.LinkUnavailable) as refused:
            services.sign_by_link(token=token, name="王五", agreed=True)
        assert refused.value.code == code
    contract.refresh_from_db()
    assert contract.status == S.SIGNING and ContractDocument.objects.filter(contract=contract).count() == 1


def test_a_code_link_needs_its_code(team):
    contract = signing(team)
    new = services.create_sign_link(actor=team.rep, contract=contract, email="buyer@example.com", with_code=True)
    assert len(new.code) == 6 and new.code not in new.link.code_hash
    with pytest.raises(ApplicationError) as refused:
        services.sign_by_link(token=new.token, name="王五", agreed=True, code="000000" if new.code != "000000" else "1")
    assert refused.value.code == "code_wrong"
    services.sign_by_link(token=new.token, name="王五", agreed=True, code=new.code)


def test_archived_contracts_cannot_be_deleted(team):
    contract = signing(team)
    new = services.create_sign_link(actor=team.rep, contract=contract)
    services.sign_by_link(token=new.token, name="王五", agreed=True)
    team.rep.is_superuser = True
    team.rep.save()
    with pytest.raises(ApplicationError) as refused:
        services.delete_contract(actor=team.rep, contract=contract)
    assert refused.value.code == "archived"


def test_certificate_upload_checks_and_stores_encrypted(team):
    company = approved(team).seller
    data, password = generate_trial_identity(company_name="上传公司")
    with pytest.raises(ApplicationError) as refused:
        services.upload_certificate(actor=None, company=company, pkcs12=data, password="wrong")
    assert refused.value.code == "certificate_password_wrong"
    with pytest.raises(ApplicationError) as refused:
        services.upload_certificate(actor=None, company=company, pkcs12=b"garbage", password=password)
    assert refused.value.code == "certificate_invalid"
    certificate = services.upload_certificate(actor=None, company=company, pkcs12=data, password=password)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pkcs12, password FROM contracts_companycertificate WHERE id = %s", [certificate.pk])
        stored = cursor.fetchone()
    assert all(value.startswith("fernet:") for value in stored) and password not in stored[1]
    assert certificate.is_trial
    services.deactivate_certificate(actor=None, certificate=certificate)
    assert not CompanyCertificate.objects.get(pk=certificate.pk).is_active


def test_verification_names_the_contract_only_to_those_who_may_view_it(team):
    contract = signing(team)
    content = ContractDocument.objects.get(contract=contract).file.read()
    mine = services.verify_document(user=team.rep, pdf=content)
    assert mine.document is not None and mine.document.contract == contract and mine.signed_by_keshang
    theirs = services.verify_document(user=team.other_rep, pdf=content)
    assert theirs.document is None and theirs.stored_elsewhere
    changed = bytearray(content)
    changed[len(changed) // 3] ^= 0x01
    tampered = services.verify_document(user=team.rep, pdf=bytes(changed))
    assert not tampered.verification.is_valid and tampered.document is None
    garbage = services.verify_document(user=team.rep, pdf=b"%PDF-nothing")
    assert not garbage.verification.is_signed and garbage.summary


@override_settings(KESHANG_SIGN_LINK_REMIND_DAYS=2)
def test_unused_links_are_reminded_once(team):
    from keshang.core.models import Notification

    contract = signing(team)
    new = services.create_sign_link(actor=team.rep, contract=contract)
    later = timezone.now() + datetime.timedelta(days=3)
    assert services.remind_unused_links(now=later) == 1
    assert services.remind_unused_links(now=later) == 0
    assert Notification.objects.filter(recipient=team.rep, title__contains=contract.number).exists()
    assert new.link.pk


#
# Pages and API
#


def signed_link(team):
    contract = signing(team)
    return contract, services.create_sign_link(actor=team.rep, contract=contract)


def test_the_public_page_shows_the_contract_and_signs_it_once(team, client):
    contract, new = signed_link(team)
    url = f"/sign/{new.token}/"
    page = client.get(url)
    assert page.status_code == 200 and contract.number in page.content.decode()
    assert "sign.js" in page.content.decode() and "<script>" not in page.content.decode()
    pdf = client.get(f"/sign/{new.token}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    png = "data:image/png;base64," + __import__("base64").b64encode(signature_png()).decode()
    done = client.post(url, {"name": "王五", "agree": "on", "signature": png})
    assert done.status_code == 200 and "签署完成" in done.content.decode()
    contract.refresh_from_db()
    assert contract.status == S.EFFECTIVE
    again = client.get(url)
    assert again.status_code == 404 and contract.number not in again.content.decode()
    assert client.get(f"/sign/{new.token}/pdf/").status_code == 404


def test_unknown_used_and_expired_links_answer_alike_without_data(team, client):
    contract, new = signed_link(team)
    unknown = client.get("/sign/not-a-token/")
    SigningLink.objects.unscoped().filter(pk=new.link.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    expired = client.get(f"/sign/{new.token}/")
    posted = client.post(f"/sign/{new.token}/", {"name": "王五", "agree": "on"})
    for response in (unknown, expired, posted):
        body = response.content.decode()
        assert response.status_code == 404 and "签署链接不可用" in body
        assert contract.number not in body and contract.partner.name not in body and contract.title not in body
    contract.refresh_from_db()
    assert contract.status == S.SIGNING


def test_a_link_reaches_only_its_own_contract(team, client):
    first, first_link = signed_link(team)
    second = signing(team)
    page = client.get(f"/sign/{first_link.token}/").content.decode()
    assert first.number in page and second.number not in page
    client.post(f"/sign/{first_link.token}/", {"name": "王五", "agree": "on"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == S.EFFECTIVE and second.status == S.SIGNING
    assert ContractDocument.objects.filter(contract=second).count() == 1


def api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_the_api_signs_makes_a_link_and_rejects_a_changed_copy(team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    contract = with_certificate(team)
    client = api(team.rep)
    signed = client.post(f"/api/v1/contracts/contracts/{contract.pk}/sign/", {}, format="json")
    assert signed.status_code == 200 and signed.json()["status"] == S.SIGNING
    link = client.post(f"/api/v1/contracts/contracts/{contract.pk}/sign-link/", {}, format="json")
    assert link.status_code == 201 and "/sign/" in link.json()["url"]
    token = link.json()["url"].rstrip("/").rsplit("/", 1)[1]
    assert token not in str(SigningLink.objects.unscoped().values().get())
    document = services.sign_by_link(token=token, name="王五", agreed=True)
    content = document.file.read()
    good = client.post("/api/v1/contracts/verify/", {"file": SimpleUploadedFile("c.pdf", content)}, format="multipart")
    body = good.json()
    assert good.status_code == 200 and body["is_valid"] and body["signed_by_keshang"]
    assert body["contract_number"] == contract.number and len(body["signatures"]) == 2
    changed = bytearray(content)
    changed[len(changed) // 2] ^= 0x01
    bad = client.post(
        "/api/v1/contracts/verify/", {"file": SimpleUploadedFile("c.pdf", bytes(changed))}, format="multipart"
    )
    assert bad.status_code == 200 and not bad.json()["is_valid"] and bad.json()["contract"] is None
    garbage = client.post(
        "/api/v1/contracts/verify/", {"file": SimpleUploadedFile("x.pdf", b"\x00junk")}, format="multipart"
    )
    assert garbage.status_code == 200 and garbage.json()["error"]
    documents = client.get(f"/api/v1/contracts/contracts/{contract.pk}/documents/")
    assert [row["version"] for row in documents.json()] == [2, 1]


def test_signing_before_approval_is_refused_through_the_api(team):
    from .factories import make_contract

    contract = make_contract(team)
    services.generate_trial_certificate(actor=None, company=contract.seller)
    answer = api(team.rep).post(f"/api/v1/contracts/contracts/{contract.pk}/sign/", {}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_transition"


def test_no_certificate_secret_ever_leaves_the_server(team, client):
    from keshang.org.tests.factories import UserFactory

    contract = approved(team)
    certificate = services.generate_trial_certificate(actor=None, company=contract.seller)
    admin = UserFactory(username="cert_admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get("/contracts/certificates/").content.decode()
    listed = api(admin).get("/api/v1/contracts/certificates/")
    one = api(admin).get(f"/api/v1/contracts/certificates/{certificate.pk}/")
    stored = CompanyCertificate.objects.get(pk=certificate.pk)
    for text in (page, listed.content.decode(), one.content.decode()):
        assert stored.password not in text and stored.pkcs12[:40] not in text and "pkcs12" not in text
        assert "试用证书" in text
    assert listed.status_code == 200 and one.json()["is_trial"]
    # a rep has no grant on certificates
    assert api(team.rep).get("/api/v1/contracts/certificates/").status_code == 403


def test_the_sign_link_page_shows_the_link_once(team, client):
    contract = signing(team)
    client.force_login(team.rep)
    url = f"/contracts/contracts/{contract.pk}/sign-link/"
    assert client.get(url).status_code == 200
    made = client.post(url, {"email": ""})
    assert made.status_code == 200 and "/sign/" in made.content.decode()
    listing = client.get(f"/contracts/contracts/{contract.pk}/documents/").content.decode()
    assert "/sign/" not in listing and "v1" in listing


@pytest.mark.django_db(transaction=True)
def test_eight_signers_at_once_make_one_signed_version(tmp_path, settings):
    from keshang.core.testing.concurrency import WORKERS, run_together

    team = make_contract_team()
    contract, new = signed_link(team)
    done, refused = run_together(
        [
            lambda index=index: services.sign_by_link(token=new.token, name=f"签署人{index}", agreed=True)
            for index in range(WORKERS)
        ]
    )
    assert len(done) == 1 and refused == ["link_used"] * (WORKERS - 1)
    assert ContractDocument.objects.filter(contract=contract, kind=DocumentKind.BOTH_SIGNED).count() == 1
    assert ContractArchive.objects.filter(contract=contract).count() == 1
    contract.refresh_from_db()
    assert contract.status == S.EFFECTIVE


def test_a_bad_signature_image_is_refused_in_words_and_the_link_stays_usable(team, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    contract, new = signed_link(team)
    upload = SimpleUploadedFile("seal.gif", b"GIF89a" + b"\0" * 100, "image/gif")
    answer = client.post(f"/sign/{new.token}/", {"name": "王五", "agree": "on", "image": upload})
    assert answer.status_code == 400 and "PNG 或 JPEG" in answer.content.decode()
    contract.refresh_from_db()
    assert contract.status == S.SIGNING and services.open_sign_link(new.token).used_at is None


def test_the_builtin_provider_sends_a_link_and_reports_the_signed_file(team, settings):
    from ..signing.providers import BuiltinProvider, get_provider

    settings.KESHANG_ESIGN_PROVIDER = "builtin"
    provider = get_provider()
    assert isinstance(provider, BuiltinProvider)
    contract = signing(team)
    sent = provider.send_for_signing(actor=team.rep, contract=contract)
    assert provider.fetch_status(contract=contract, reference=sent.reference).state == "pending"
    token = sent.url.rstrip("/").rsplit("/", 1)[1]
    document = services.sign_by_link(token=token, name="王五", agreed=True)
    status = provider.fetch_status(contract=contract, reference=sent.reference)
    assert status.state == "signed" and status.document == document.file.open("rb").read()


def test_the_daily_reminder_job_is_registered():
    from ..tasks import remind_sign_links_task

    assert callable(remind_sign_links_task)


def test_the_audit_trail_never_holds_a_certificates_file_or_password(team):
    from keshang.core.models import AuditEntry

    certificate = services.generate_trial_certificate(actor=None, company=approved(team).seller)
    services.deactivate_certificate(actor=None, certificate=certificate)
    stored = CompanyCertificate.objects.get(pk=certificate.pk)
    trail = str(list(AuditEntry.objects.values("before", "after", "message")))
    assert "pkcs12" not in trail and stored.password not in trail and stored.pkcs12[:40] not in trail


def test_the_archive_lists_lends_and_returns_for_finance_and_shows_reps_their_own(team, client):
    from keshang.core.permissions import Action, Scope
    from keshang.org.tests.factories import UserFactory, grant

    contract, new = signed_link(team)
    services.sign_by_link(token=new.token, name="王五", agreed=True)
    archive = ContractArchive.objects.get(contract=contract)
    finance = UserFactory(username="archive_finance")
    grant(finance, "contracts.contract", (Action.VIEW,), Scope.ALL)
    grant(finance, "contracts.archive", (Action.VIEW, Action.CHANGE), Scope.ALL)
    grant(finance, "org.user", (Action.VIEW,), Scope.ALL)  # the borrower is picked among the users one sees
    grant(team.rep, "contracts.archive", (Action.VIEW,), Scope.ALL)
    grant(team.other_rep, "contracts.archive", (Action.VIEW,), Scope.ALL)
    client.force_login(team.rep)
    listing = client.get("/contracts/archive/", {"q": contract.number}).content.decode()
    assert archive.number in listing
    assert client.get(f"/contracts/archive/{archive.pk}/").status_code == 200
    # a rep may not lend
    assert client.post(f"/contracts/archive/{archive.pk}/loan/", {"what": "return"}).status_code == 403
    client.force_login(team.other_rep)
    assert archive.number not in client.get("/contracts/archive/").content.decode()
    assert client.get(f"/contracts/archive/{archive.pk}/").status_code == 404
    client.force_login(finance)
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    lent = client.post(
        f"/contracts/archive/{archive.pk}/loan/", {"what": "lend", "borrower": team.rep.pk, "due_on": due}
    )
    assert lent.status_code == 302
    assert archive.loans.filter(returned_at__isnull=True).count() == 1
    client.post(f"/contracts/archive/{archive.pk}/loan/", {"what": "return"})
    assert archive.loans.filter(returned_at__isnull=False).count() == 1


def test_the_verify_page_answers_garbage_in_words_and_names_the_contract_to_its_owner(team, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    contract = signing(team)
    content = ContractDocument.objects.get(contract=contract).file.read()
    client.force_login(team.rep)
    garbage = client.post("/contracts/verify/", {"file": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert garbage.status_code == 200 and "不是有效的 PDF 文件" in garbage.content.decode()
    good = client.post("/contracts/verify/", {"file": SimpleUploadedFile("c.pdf", content)}).content.decode()
    assert "验证通过" in good and contract.number in good and "试用证书" in good
    client.force_login(team.other_rep)
    theirs = client.post("/contracts/verify/", {"file": SimpleUploadedFile("c.pdf", content)}).content.decode()
    assert "验证通过" in theirs and contract.number not in theirs
