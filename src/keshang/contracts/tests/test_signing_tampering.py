"""Tampering with a signed contract PDF (issue 13): a changed byte, an appended update, a changed signature or key,
and files that are no PDF are all reported by verify_pdf, never raised."""

from __future__ import annotations

import re

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.sign import fields

from keshang.contracts.signing import (
    sha256_hex,
    sign_pdf,
    verify_pdf,
)

from .signing_fixtures import (
    CUSTOMER_BOX,
    _append_update,
)


def test_a_changed_number_in_the_signed_page_content_breaks_the_signature(signed_once):
    # given the first page's text moved down by 100 points: the same length, inside the signed range
    position = re.search(rb"BT [\d.]+ (\d)[\d.]* Td", signed_once)
    tampered = bytearray(signed_once)
    tampered[position.start(1)] = ord("1") if signed_once[position.start(1)] != ord("1") else ord("2")
    # when
    verification = verify_pdf(bytes(tampered))
    # then
    [report] = verification.signatures
    assert not report.intact
    assert not verification.is_valid


def test_bytes_appended_after_the_last_signature_are_a_modification(signed_twice):
    # when
    verification = verify_pdf(signed_twice + b"\n% appended after signing\n")
    # then the signed bytes are intact, but neither signature reaches the end of the file any more
    assert [report.intact for report in verification.signatures] == [True, True]
    assert [report.covers_document for report in verification.signatures] == [False, False]
    assert not verification.is_valid


def test_a_page_added_in_an_update_after_the_signature_is_detected(signed_once):
    # given an incremental update adding a blank page
    def add_page(writer):
        box = generic.ArrayObject([generic.NumberObject(value) for value in (0, 0, 595, 842)])
        writer.insert_page(
            generic.DictionaryObject({generic.pdf_name("/Type"): generic.pdf_name("/Page"), "/MediaBox": box})
        )

    # when
    verification = verify_pdf(_append_update(signed_once, add_page))
    # then pyHanko's difference analysis says OTHER: the signature is intact but no longer covers the document
    [report] = verification.signatures
    assert report.intact
    assert not report.covers_document
    assert not verification.is_valid


def test_a_field_changed_between_two_signatures_is_a_modification_of_the_first(signed_once, customer):
    # given an update adding a field that no signature fills (standing for a form field filled in after the company
    # signed: pyHanko calls both form filling, which it allows), then the customer's signature
    def add_field(writer):
        fields.append_signature_field(writer, fields.SigFieldSpec("later", on_page=0, box=(50, 50, 150, 100)))

    changed = _append_update(signed_once, add_field)
    # when
    unsigned_end = verify_pdf(changed)
    signed_end = verify_pdf(
        sign_pdf(changed, identity=customer, field_name="customer", box=CUSTOMER_BOX, reason="乙方签署")
    )
    # then only later signatures may change fields after a signature: the first is intact but covers less than
    # the document, whether or not a signature follows the change
    [report] = unsigned_end.signatures
    assert report.intact and not report.covers_document
    first, second = signed_end.signatures
    assert first.intact and not first.covers_document
    assert second.intact and second.covers_document
    assert not unsigned_end.is_valid
    assert not signed_end.is_valid


def _with_signature_contents(pdf: bytes, change) -> bytes:
    """``pdf`` with the hex of its last signature's CMS blob (/Contents, outside the signed bytes) changed."""
    contents = list(re.finditer(rb"/Contents <([0-9A-Fa-f]+)>", pdf))[-1]
    blob = change(contents.group(1))
    return pdf[: contents.start(1)] + blob + pdf[contents.end(1) :]


def test_a_changed_signature_value_is_not_intact(signed_twice):
    # given the last bytes of the customer's RSA signature value changed (the blob is zero-padded after it)
    def change_signature_value(blob: bytes) -> bytes:
        end = len(blob.rstrip(b"0"))
        end += end % 2  # whole bytes
        return blob[: end - 8] + (b"00000000" if blob[end - 8 : end] != b"00000000" else b"11111111") + blob[end:]

    # when
    verification = verify_pdf(_with_signature_contents(signed_twice, change_signature_value))
    # then the company's signature is untouched, the customer's fails its check
    first, second = verification.signatures
    assert first.intact
    assert not second.intact
    assert second.signer_name == "李四"
    assert not verification.is_valid
    assert verification.error == ""


def test_a_swapped_signer_key_is_reported_as_a_damaged_signature(signed_twice, customer):
    # given the customer's embedded certificate with other digits in its public key (same length, still parses)
    modulus = format(customer.certificate.public_key().public_numbers().n, "x").upper().encode()

    def change_key(blob: bytes) -> bytes:
        assert modulus in blob.upper()
        start = blob.upper().index(modulus) + 100
        return blob[:start] + (b"1234" if blob[start : start + 4] != b"1234" else b"4321") + blob[start + 4 :]

    # when
    verification = verify_pdf(_with_signature_contents(signed_twice, change_key))
    # then pyHanko refuses the signature (its signed attribute names another certificate): listed, not intact
    first, second = verification.signatures
    assert first.intact
    assert second.field_name == "customer" and not second.intact and not second.covers_document
    assert not verification.is_valid
    assert verification.error == "文件中的数字签名已损坏，无法读取。"


def test_a_signature_blob_that_does_not_parse_is_reported_as_damaged(signed_twice):
    verification = verify_pdf(_with_signature_contents(signed_twice, lambda blob: b"F" * 200 + blob[200:]))
    assert not verification.is_signed and not verification.is_valid
    assert verification.error == "文件中的数字签名已损坏，无法读取。"


@pytest.mark.parametrize(
    "cut",
    [lambda pdf: b"", lambda pdf: b"PK\x03\x04 a zip", lambda pdf: pdf[:-400]],
    ids=["empty", "garbage", "truncated"],
)
def test_what_is_no_pdf_is_reported_not_raised(signed_once, cut):
    data = cut(signed_once)
    verification = verify_pdf(data)
    assert not verification.is_signed
    assert not verification.is_valid
    assert verification.error == "不是有效的 PDF 文件。"
    assert verification.sha256 == sha256_hex(data)


def test_an_unsigned_pdf_says_so(contract_pdf):
    verification = verify_pdf(contract_pdf)
    assert not verification.is_signed and not verification.is_valid and not verification.signed_by_known
    assert verification.error == "文件中没有数字签名。"
