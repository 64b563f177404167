"""The import framework's reading of files, driven through the Memo importer (``memo_imports``): files read by
content, headers found and matched, the files it must refuse without a 500, the template, the error report and the
lookups importers share."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from keshang.core import importing
from keshang.core.models import ImportJob
from keshang.core.regions import load_regions

from . import memo_imports
from .memo_imports import HEADER, MemoImporter, new_job, validated, xlsx

# The Memo importer, registered for every test here, and a rep who may use it (fixtures, from memo_imports).
memo_importer = memo_imports.memo_importer
rep = memo_imports.rep

pytestmark = pytest.mark.django_db


#
# Reading files
#


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("utf-16", b"")],
    ids=["utf8", "utf8-bom", "gb18030", "utf16"],
)
def test_csv_is_read_in_every_encoding_excel_writes(encoding, prefix):
    # given: Chinese text, as Excel saves it on different systems (UTF-16 "Unicode text" is tab-separated)
    separator = "\t" if encoding == "utf-16" else ","
    text = f"标题{separator}电话\n深圳华为{separator}0755\n"
    data = prefix + text.encode(encoding)
    # when
    rows = list(importing.open_rows(io.BytesIO(data)))
    # then
    assert rows == [(1, ["标题", "电话"]), (2, ["深圳华为", "0755"])]


def test_semicolon_separated_csv_is_recognised_by_its_header():
    rows = list(importing.open_rows(io.BytesIO("标题;电话\n甲;1\n".encode())))
    assert rows == [(1, ["标题", "电话"]), (2, ["甲", "1"])]


def test_xlsx_cells_read_as_the_user_sees_them_and_blank_rows_are_skipped():
    # given: a number typed into a phone cell, a blank row, a date
    import datetime

    data = xlsx([["标题", "电话", "日期"], ["甲", 13800138000, datetime.date(2026, 1, 2)], [None, None], ["乙", 1.5]])
    # when
    rows = list(importing.open_rows(io.BytesIO(data)))
    # then
    assert rows == [(1, ["标题", "电话", "日期"]), (2, ["甲", "13800138000", "2026-01-02"]), (4, ["乙", "1.5"])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "不是 Excel（.xlsx）或 CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "旧版 Excel"),
        (xlsx([["标题"], ["甲"]])[:300], "Excel 文件已损坏"),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel 文件已损坏"),
    ],
    ids=["empty", "binary-renamed-csv", "xls", "truncated-xlsx", "zip-without-content-types"],
)
def test_files_that_cannot_be_imported_are_refused_with_a_clear_message(rep, content, message):
    # when
    with pytest.raises(importing.ImportFileError) as error:
        new_job(rep, content)
    # then
    assert message in error.value.message
    assert not ImportJob.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(rep):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(importing.ImportFileError, match="不是有效的 Excel") as refused:
        new_job(rep, buffer.getvalue(), name="memos.xlsx")
    assert refused.value.code == "import_file"


def test_a_header_only_file_is_refused(rep):
    with pytest.raises(importing.ImportFileError, match="只有表头") as refused:
        new_job(rep, HEADER)
    assert refused.value.code == "import_file"


def test_other_extensions_are_refused_whatever_their_content(rep):
    with pytest.raises(importing.ImportFileError, match=r"\.xlsx 或 \.csv") as refused:
        new_job(rep, HEADER + "甲,1\n", name="memos.exe")
    assert refused.value.code == "import_file"


@override_settings(KESHANG_IMPORT_MAX_BYTES=50)
def test_a_file_over_the_size_limit_is_refused(rep):
    with pytest.raises(importing.ImportFileError, match="上限") as refused:
        new_job(rep, HEADER + "甲,1\n" * 20)
    assert refused.value.code == "import_file"


@override_settings(KESHANG_IMPORT_MAX_ROWS=2)
def test_a_file_over_the_row_limit_is_refused(rep):
    with pytest.raises(importing.ImportFileError, match="拆分") as refused:
        new_job(rep, HEADER + "甲,1\n乙,2\n丙,3\n")
    assert refused.value.code == "import_file"


def test_undecodable_text_after_the_first_kilobytes_is_a_clear_error_not_a_crash(rep):
    # given: UTF-8 for the sniffed start, then bytes that are not UTF-8
    content = (HEADER + "甲,1\n" * 20_000).encode() + b"\xff\xfe\xfa,1\n"
    # when
    with pytest.raises(importing.ImportFileError) as error:
        new_job(rep, content)
    # then
    assert "UTF-8" in error.value.message


#
# Header and mapping
#


def test_headers_are_matched_through_synonyms_whatever_their_spelling():
    assert importing.normalise_header("名称*") == importing.normalise_header("名称（必填）") == "名称"
    assert importing.normalise_header("Company_Name") == importing.normalise_header("ＣｏｍｐａｎｙＮａｍｅ")
    columns = importing.suggest_columns(["序号", "SUBJECT", "Tel"], MemoImporter.fields)
    assert columns == {"title": 1, "phone": 2}


def test_the_header_is_found_under_a_title_row_and_samples_are_kept(rep):
    # given: a report title and a blank row above the header
    content = "2026年备忘清单\n\n电话,主题\n1,甲\n2,乙\n"
    # when
    job = new_job(rep, content)
    # then
    assert job.mapping["header_row"] == 3
    assert job.mapping["headers"] == ["电话", "主题"]
    assert job.mapping["columns"] == {"phone": 0, "title": 1}
    assert job.mapping["samples"] == [["1", "甲"], ["2", "乙"]]
    assert job.total_rows == 2


#
# Template and error report
#


def test_the_template_has_marked_headers_an_example_row_and_instructions():
    # when
    workbook = load_workbook(io.BytesIO(importing.build_template(MemoImporter)))
    # then
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["标题*", "电话"]
    assert [cell.value for cell in sheet[2]] == ["示例", "13800138000"]
    assert sheet["B2"].number_format == "@"
    assert workbook.worksheets[1].title == "填写说明"


def test_the_error_report_never_turns_a_cell_into_a_formula(rep):
    # given: a cell that Excel would run
    job = validated(new_job(rep, HEADER + "=cmd|' /C calc'!A0,abc\n"))
    # when
    with job.error_report.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    # then
    assert sheet["A2"].value == "=cmd|' /C calc'!A0"
    assert sheet["A2"].data_type == "s"


#
# Lookups importers share
#


@pytest.mark.parametrize(
    ("text", "full_name"),
    [
        ("广东省 深圳市 南山区", "广东省 深圳市 南山区"),
        ("广东深圳南山", "广东省 深圳市 南山区"),
        ("深圳市南山区", "广东省 深圳市 南山区"),
        ("440305", "广东省 深圳市 南山区"),
        ("北京 朝阳区", "北京市 朝阳区"),
        ("北京市", "北京市"),
        ("北京市 北京市", "北京市"),
        ("上海市 上海市 浦东新区", "上海市 浦东新区"),
        ("广西 南宁", "广西壮族自治区 南宁市"),
        ("内蒙古自治区", "内蒙古自治区"),
    ],
)
def test_regions_are_resolved_from_what_people_type(text, full_name):
    from keshang.core.models import Region

    load_regions()
    resolver = importing.RegionResolver()
    pk, message = resolver.resolve(text)
    assert message is None
    assert Region.objects.get(pk=pk).full_name == full_name


@pytest.mark.parametrize(
    ("text", "message"),
    [("南山区", "不唯一"), ("火星省", "无法识别"), ("999999", "不存在")],
)
def test_regions_that_are_ambiguous_or_unknown_get_a_message(text, message):
    load_regions()
    pk, error = importing.RegionResolver().resolve(text)
    assert pk is None and message in error


def test_countries_are_known_by_english_and_chinese_names_and_codes():
    assert importing.country_code("Germany") == importing.country_code("德国") == "DE"
    assert importing.country_code("UK") == importing.country_code("United Kingdom") == "GB"
    assert importing.country_code("USA") == importing.country_code("us") == "US"
    assert importing.country_code("中国") == "CN"
    assert importing.country_code("Atlantis") is None
