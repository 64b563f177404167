"""partners.text: credit codes (统一社会信用代码) and phone numbers."""

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from keshang.core.testing.errors import validation_codes
from keshang.partners.text import (
    normalize_credit_code,
    normalize_phone,
    phone_digits,
)

# No example database (failures are reproduced from the printed example); no deadline: a loaded CI box must
# not turn a slow example into a failure.
PROPERTY = settings(deadline=None, database=None)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def with_check_digit(first17: str) -> str:
    """GB 32100-2015 written out independently of stdnum: weights 3^i mod 31, check = (31 - Σ mod 31) mod 31."""
    total = sum(USCC_ALPHABET.index(char) * pow(3, index, 31) for index, char in enumerate(first17))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def wrong_check_digit(code: str) -> str:
    return code[:-1] + next(char for char in USCC_ALPHABET if char != code[-1])


#
# 统一社会信用代码
#


@pytest.mark.parametrize(
    "first17",
    [
        "91110000600037341",  # stdnum's own example, check digit L
        "91440300708461136",
        "12100000400000624",  # 1 机构编制
        "51110000500000001",  # 5 民政
        "91310115MA1K3YJ2X",  # letters in the organisation code
    ],
)
def test_valid_codes_are_returned_as_typed_in_canonical_form(first17):
    code = with_check_digit(first17)

    assert normalize_credit_code(code) == code


@pytest.mark.parametrize(
    "typed",
    [
        "9111 0000 6000 3734 1L",
        "911100-006000-37341L",
        "91110000600037341l",
        "９１１１００００６０００３７３４１Ｌ",
        "  91110000600037341L\u3000",
    ],
)
def test_spaces_hyphens_full_width_and_lower_case_are_normalised(typed):
    assert normalize_credit_code(typed) == "91110000600037341L"


LETTER_AUTHORITY_CODES = ["N2370000MA3C12345", "Y1440300MA5F00001", "A1110000MA0000001", "N1370000123456789"]


@pytest.mark.parametrize("first17", LETTER_AUTHORITY_CODES)
def test_letter_authority_codes_that_stdnum_refuses_are_accepted_with_a_right_check_digit(first17):
    # given a code whose registration authority (N 农业, Y 其他, A) or entity type is a letter
    code = with_check_digit(first17)
    assert not uscc.is_valid(code)  # why the wrapper exists

    # when / then
    assert normalize_credit_code(code) == code
    assert normalize_credit_code(code.lower()) == code


@pytest.mark.parametrize("first17", ["N2370000MA3C12345", "Y1440300MA5F00001"])
def test_letter_authority_codes_with_a_wrong_check_digit_are_refused(first17):
    with pytest.raises(ValidationError) as caught:
        normalize_credit_code(wrong_check_digit(with_check_digit(first17)))

    assert caught.value.code == "invalid_check_digit"
    assert caught.value.messages == ["统一社会信用代码校验位不正确，请核对。"]


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("91110000600037341", "invalid_length", "统一社会信用代码应为18位。"),
        ("91110000600037341LL", "invalid_length", "统一社会信用代码应为18位。"),
        ("91110000600037341A", "invalid_check_digit", "统一社会信用代码校验位不正确，请核对。"),
        ("9111000060003734IL", "invalid_characters", None),
        ("91110000600O37341L", "invalid_characters", None),
        ("S1110000600037341L", "invalid_characters", None),
        ("9111000060003734*L", "invalid_characters", None),
        ("９１１１０００06000373４中L", "invalid_characters", None),
        ("91AB0000600037341L", "invalid_region", None),
    ],
)
def test_invalid_codes_are_refused_with_a_chinese_message_and_a_code(value, code, message):
    with pytest.raises(ValidationError) as caught:
        normalize_credit_code(value)

    assert caught.value.code == code
    if message:
        assert caught.value.messages == [message]
    if code == "invalid_characters":
        assert "I、O、S、V、Z" in caught.value.messages[0]


@pytest.mark.parametrize("value", ["", "   ", " - "])
def test_an_empty_credit_code_is_empty(value):
    assert normalize_credit_code(value) == ""


uscc_bodies = st.tuples(
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@PROPERTY
@given(uscc_bodies)
def test_every_code_with_the_right_check_digit_is_accepted_and_no_other(first17):
    code = with_check_digit(first17)

    assert normalize_credit_code(code) == code
    with pytest.raises(ValidationError) as refused:
        normalize_credit_code(wrong_check_digit(code))
    assert validation_codes(refused.value) == ["invalid_check_digit"]


#
# Phone numbers
#


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),
        ("0755-86001234", "+8675586001234"),
        ("(010) 6552 9988", "+861065529988"),
        ("（０１０）６５５２９９８８", "+861065529988"),
        ("400-810-8888", "+864008108888"),
        ("+1 650 253 0000", "+16502530000"),
        ("010 6552 9988 ext 12", "+861065529988"),  # E.164 has no extension
    ],
)
def test_phone_numbers_are_normalised_to_e164(value, e164):
    assert normalize_phone(value) == e164


def test_numbers_without_a_country_code_are_read_in_the_given_region():
    assert normalize_phone("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize("value", ["12345", "abc", "95588", "021-1234567", "0755-86001234-8001", "0755-86001234转8001"])
def test_invalid_phone_numbers_are_refused(value):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(value)

    assert caught.value.code == "invalid_phone"
    assert caught.value.messages == ["请输入有效的电话号码。"]


@PROPERTY
@given(st.from_regex(r"1[0-9]{10}", fullmatch=True) | st.from_regex(r"1[0-9]{6,11}", fullmatch=True))
def test_numbers_that_look_like_mobiles_are_judged_as_phonenumbers_judges_them(value):
    # given phonenumbers' own answer (an 11-digit mobile skips parsing on the fast path)
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        number = None
    expected = (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if number is not None and phonenumbers.is_valid_number(number)
        else None
    )
    # when / then normalize_phone gives the same number or refuses the same way
    if expected is None:
        with pytest.raises(ValidationError) as refused:
            normalize_phone(value)
        assert validation_codes(refused.value) == ["invalid_phone"]
    else:
        assert normalize_phone(value) == expected


@pytest.mark.parametrize("value", ["", "  ", "\u3000"])
def test_an_empty_phone_is_empty(value):
    assert normalize_phone(value) == ""


@pytest.mark.parametrize(
    ("value", "digits"),
    [("+86 138-1234-5678", "8613812345678"), ("（０７５５）８６００-1234", "075586001234"), ("", ""), ("无", "")],
)
def test_phone_digits_keeps_only_digits(value, digits):
    assert phone_digits(value) == digits
