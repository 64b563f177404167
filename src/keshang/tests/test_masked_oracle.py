"""The masked-field oracle (issue 12): for every field masked to a persona, found by discovery
(``sensitive_fields`` of every model), that persona's search (``q``), filters and ordering, on every API list
route of the model, answer the same whether they are given part of the record's hidden value or a value no
record holds: the answers cannot tell what the field holds. The persona is the world's department reader (every
grant but view_sensitive)."""

from __future__ import annotations

import pytest
from django.apps import apps

from keshang.tests.matrix import API_ROUTES, view_class
from keshang.tests.test_sensitive import MASKED_FIELDS
from keshang.tests.world import matrix_world  # noqa: F401 (fixture)


def list_routes(model) -> list[str]:
    return [
        route
        for route, callback in API_ROUTES
        if view_class(callback).model is model
        and (getattr(callback, "actions", {}) or {}).get("get") == "list"
        and "<" not in route
    ]


def ids(api, url, params) -> list:
    response = api.get(url, {**params, "page_size": 500})
    assert response.status_code in (200, 400), (url, params, response.status_code)
    return [row.get("id") for row in response.json().get("results", [])] if response.status_code == 200 else [400]


def part_of(record, field) -> str:
    """Part of a hidden value, not all of it (what a digit-by-digit search types), and in none of the record's
    fields shown in clear: two records differing only in the hidden field would both hold those."""
    text = str(getattr(record, field)).lower()
    hidden = set(getattr(type(record), "sensitive_fields", ()))
    shown = " ".join(
        str(getattr(record, item.attname) or "").lower()
        for item in type(record)._meta.concrete_fields
        if item.name not in hidden and item.editable  # derived keys (search text, phone key) are never shown
    )
    for size in (6, 5, 4):
        for start in range(len(text) - size + 1):
            piece = text[start : start + size]
            if piece != text and piece not in shown and "@" not in piece:
                return piece
    raise AssertionError(f"no part of {type(record).__name__}.{field} is hidden only there")


@pytest.mark.parametrize(("label", "field"), MASKED_FIELDS)
def test_search_filters_and_ordering_cannot_tell_a_masked_value(world, db, label, field):
    model = apps.get_model(label)
    record = world.records["rep"].get(label) or model._default_manager.unscoped().order_by("pk").first()
    value = getattr(record, field)
    assert value not in (None, ""), f"the world must fill {label}.{field}"
    api = world.clients["department", True]
    for url in list_routes(model):
        plain = ids(api, url, {})
        for name in ("q", field):
            assert ids(api, url, {name: part_of(record, field)}) == ids(api, url, {name: "zqxjv"}), (url, name)
        assert ids(api, url, {field: str(value)}) == ids(api, url, {field: "zqxjv"}), (url, "whole value filter")
        for ordering in (field, f"-{field}"):
            assert ids(api, url, {"ordering": ordering}) == plain, (url, ordering)
