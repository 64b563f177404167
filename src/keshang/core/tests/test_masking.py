"""core.masking without a database (issue 12, make mutate): what a masked value keeps of each kind of value, and
the Masker's decision per row, asked once per batch with the view_sensitive action."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldError

from keshang.core.masking import MASK, Masker, mask_value
from keshang.core.permissions import Action


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (None, None),
        ("", ""),
        (Decimal("1234.56"), "****"),
        (0, "****"),
        (12.5, "****"),
        (True, "****"),  # not an amount: masked as the text "True"
        ("zhang.wei@example.com", "z***@example.com"),
        ("a@b@example.com", "a***@b@example.com"),  # split at the first @
        ("@example.com", "***@example.com"),
        ("13812341234", "138****1234"),
        ("1234567", "123****4567"),  # seven digits: a phone
        ("021-6123-4567", "021****4567"),  # separators count, up to three of them
        ("+86 138 1234 1234", "****1234"),  # four separators: only the end kept
        ("123456", "****3456"),  # six digits: only the end kept
        ("12-34-56-78", "12-****6-78"),  # eight digits, three separators
        ("1-2-3-4-5-6-7", "****-6-7"),  # seven digits, six separators: not a phone
        ("wxid_abcdef", "****cdef"),
        ("12345", "****2345"),
        ("1234", "****"),
        ("ab", "****"),
    ],
)
def test_a_masked_value_keeps_only_what_its_kind_allows(value, masked):
    assert mask_value(value) == masked


def test_the_mask_is_four_stars():
    assert MASK == "****"


class Rows:
    """A model's manager: visible_to(user, action) → rows whose pk is in ``clear``; records each query."""

    def __init__(self, clear):
        self.clear = set(clear)
        self.queries = []

    def visible_to(self, user, action):
        manager = self

        class Allowed:
            def filter(self, pk__in):
                manager.queries.append((user, action, set(pk__in)))
                allowed = [pk for pk in pk__in if pk in manager.clear]

                def values_list(field, flat=False):
                    if field != "pk":
                        raise FieldError(field)
                    return allowed if flat is True else [(pk,) for pk in allowed]

                return SimpleNamespace(values_list=values_list)

        return Allowed()


def model(clear, fields=("mobile", "email")):
    return SimpleNamespace(_default_manager=Rows(clear), sensitive_fields=fields)


def row(pk, **values):
    return SimpleNamespace(pk=pk, mobile="13812341234", email="li@example.com", name="李", **values)


def test_rows_are_decided_once_per_batch_with_the_view_sensitive_action():
    rows = model(clear={1})
    masker = Masker("user", rows).prepare([row(1), row(2)])
    assert rows._default_manager.queries == [("user", Action.VIEW_SENSITIVE, {1, 2})]
    assert masker.shows_clear(row(1)) is True
    assert masker.shows_clear(row(2)) is False
    masker.prepare([row(1), row(3)])
    assert rows._default_manager.queries[1] == ("user", Action.VIEW_SENSITIVE, {3})
    assert len(rows._default_manager.queries) == 2
    masker.shows_clear(row(3))
    assert len(rows._default_manager.queries) == 2
    # rows of the first batch keep their answer
    assert masker.shows_clear(row(1)) is True
    assert masker.shows_clear(row(2)) is False
    assert len(rows._default_manager.queries) == 2


def test_a_model_without_sensitive_fields_is_never_masked_nor_queried():
    rows = model(clear=(), fields=())
    masker = Masker("user", rows).prepare([row(1)])
    assert masker.shows_clear(row(1)) is True
    assert masker.value(row(1), "mobile") == "13812341234"
    assert masker.mask_dict(row(1), {"mobile": "13812341234"}) == {"mobile": "13812341234"}
    assert rows._default_manager.queries == []


def test_a_model_that_declares_no_sensitive_fields_shows_everything():
    masker = Masker("user", SimpleNamespace())
    assert masker.fields == ()
    assert masker.value(row(1), "mobile") == "13812341234"


def test_values_are_masked_for_rows_out_of_clear_scope_and_only_sensitive_fields():
    masker = Masker("user", model(clear={1}))
    assert masker.value(row(2), "mobile") == "138****1234"
    assert masker.value(row(2), "email", "wang@example.com") == "w***@example.com"
    assert masker.value(row(2), "name") == "李"
    assert masker.value(row(1), "mobile") == "13812341234"
    assert masker.value(row(1), "email", "wang@example.com") == "wang@example.com"


def test_a_dict_is_masked_field_by_field_for_rows_out_of_clear_scope():
    masker = Masker("user", model(clear={1}))
    data = {"mobile": "13812341234", "email": "li@example.com", "name": "李"}
    assert masker.mask_dict(row(2), dict(data)) == {"mobile": "138****1234", "email": "l***@example.com", "name": "李"}
    assert masker.mask_dict(row(2), {"name": "李"}) == {"name": "李"}
    assert masker.mask_dict(row(1), dict(data)) == data
