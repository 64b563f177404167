"""The contract template engine's Word templates (issue 13): fixtures built with python-docx, filled with docxtpl
and read back with python-docx. No database."""

from __future__ import annotations

import dataclasses
import zipfile
from io import BytesIO

import pytest

from keshang.contracts.templating import check_docx, render_docx
from keshang.core.exceptions import ApplicationError

from .templating_fixtures import full_context


def _docx(build) -> bytes:
    from docx import Document

    document = Document()
    build(document)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _read(data: bytes):
    from docx import Document

    return Document(BytesIO(data))


def _contract_docx(document):
    document.sections[0].header.paragraphs[0].text = "合同编号：{{合同编号}}"
    document.add_heading("{{合同名称}}", 1)
    paragraph = document.add_paragraph("甲方：")
    paragraph.add_run("{{甲方")  # Word splits a field over runs as one types it: docxtpl joins them
    paragraph.add_run("名称}}（{{甲方统一社会信用代码}}）")
    document.add_paragraph("乙方：{{乙方名称}}")
    document.add_paragraph("交货：{{交货条款}}")
    document.add_paragraph("{{产品明细表}}")
    table = document.add_table(rows=5, cols=4)
    for cell, text in zip(table.rows[0].cells, ["序号", "商品名称", "数量", "金额"], strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for 行 in 产品明细表 %}"
    for cell, text in zip(
        table.rows[2].cells, ["{{行.序号}}", "{{行.商品名称}}", "{{行.数量}}", "{{行.金额}}"], strict=True
    ):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    table.rows[4].cells[0].text = "合计"
    table.rows[4].cells[3].text = "{{合同金额}}"
    document.add_paragraph("{%p for 期 in 付款条款 %}")
    document.add_paragraph("{{期.期次}}：{{期.金额}}，{{期.付款条件}}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{{ 付款条款 }}")
    document.add_paragraph("大写：{{合同金额大写}}")


def test_a_word_template_is_filled_with_values_rows_and_blocks():
    # given
    template = _docx(_contract_docx)
    check_docx(template)
    # when
    document = _read(render_docx(template, full_context()))
    # then
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert paragraphs == [
        "不锈钢阀门购销合同",
        "甲方：上海申海贸易有限公司（91310115MA1H7XXX3K）",
        "乙方：杭州科商阀门制造有限公司",
        "交货：2027年1月15日前送达甲方仓库\n运费由乙方承担",
        "第1期：¥3,703.68，签订后 5 个工作日内",
        "第2期：¥8,641.92，到货验收后 30 日内",
        "第1期 预付款：合同金额的30%，计 ¥3,703.68，签订后 5 个工作日内支付。",
        "第2期 尾款：合同金额的70%，计 ¥8,641.92，到货验收后 30 日内支付，最迟于2027年1月31日前。",
        "大写：人民币壹万贰仟叁佰肆拾伍元陆角整",
    ]
    assert document.sections[0].header.paragraphs[0].text == "合同编号：HT202612-00001"
    block, own = ([[cell.text for cell in row.cells] for row in table.rows] for table in document.tables)
    assert block[0] == ["序号", "商品编码", "商品名称", "规格", "单位", "数量", "含税单价", "税率", "金额"]
    assert block[1] == ["1", "P-001", "不锈钢球阀", "DN50 PN16", "个", "10", "1,000.00", "13%", "10,000.00"]
    assert block[3][-2:] == ["合计", "¥12,345.60"]
    assert block[4][0] == "金额大写：人民币壹万贰仟叁佰肆拾伍元陆角整"
    assert own == [
        ["序号", "商品名称", "数量", "金额"],
        ["1", "不锈钢球阀", "10", "10,000.00"],
        ["2", "法兰垫片", "20", "2,345.60"],
        ["合计", "", "", "¥12,345.60"],
    ]


def test_word_values_are_escaped_and_cannot_break_the_document():
    # given
    party = dataclasses.replace(full_context().party_a, name="<script>alert(1)</script>&公司\x07\x0c{{乙方名称}}")
    template = _docx(lambda document: document.add_paragraph("甲方：{{甲方名称}}"))
    # when
    document = _read(render_docx(template, full_context(party_a=party)))
    # then
    assert [paragraph.text for paragraph in document.paragraphs] == ["甲方：<script>alert(1)</script>&公司{{乙方名称}}"]


def test_a_word_template_with_unknown_fields_and_row_fields_is_refused_naming_them():
    # given
    def build(document):
        document.add_paragraph("甲方：{{甲方地扯}}，{{甲方名称}}")
        table = document.add_table(rows=3, cols=1)
        table.rows[0].cells[0].text = "{%tr for 行 in 产品明细表 %}"
        table.rows[1].cells[0].text = "{{行.商品名陈}} {{行.商品名称}}"
        table.rows[2].cells[0].text = "{%tr endfor %}"
        document.add_paragraph("{{合同号}}，{{甲方地扯}}")

    # when
    with pytest.raises(ApplicationError) as refused:
        check_docx(_docx(build))
    # then
    message = "模板中有未知字段：{{甲方地扯}}、{{行.商品名陈}}、{{合同号}}。"
    assert refused.value.code == "unknown_template_fields"
    assert refused.value.fields == {"file": [message]}


def _other_package() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def _broken_docx() -> bytes:
    """A .docx whose content types are right but whose document part is missing."""
    source = zipfile.ZipFile(BytesIO(_docx(lambda document: document.add_paragraph("{{甲方名称}}"))))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in source.namelist():
            if name != "word/document.xml":
                package.writestr(name, source.read(name))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7 not a zip", b"", _other_package(), _broken_docx()],
    ids=["pdf bytes", "empty", "another zip package", "a docx without its document"],
)
def test_what_is_not_a_docx_is_refused(data):
    with pytest.raises(ApplicationError) as refused:
        check_docx(data)
    assert refused.value.code == "template_not_docx"


@pytest.mark.parametrize(
    "text",
    [
        "{{甲方名称|upper}}",
        "{{合同名称.__class__}}",
        "{% if 甲方名称 %}有{% endif %}",
        "{{ 甲方名称 }",
        "{% for x in 甲方名称 %}{% endfor %}",
        "{{ '字符串' }}",
    ],
    ids=["filter", "attribute", "condition", "broken brace", "loop over a text field", "constant"],
)
def test_a_word_template_using_more_than_fields_and_loops_is_refused(text):
    with pytest.raises(ApplicationError) as refused:
        check_docx(_docx(lambda document: document.add_paragraph(text)))
    assert refused.value.code == "template_syntax"


def test_docxtpl_own_paragraph_spelling_of_a_block_is_accepted():
    # given
    template = _docx(lambda document: [document.add_paragraph(text) for text in ("前", "{{p 付款条款}}", "后")])
    # when
    document = _read(render_docx(template, full_context()))
    # then
    assert [paragraph.text for paragraph in document.paragraphs] == [
        "前",
        "第1期 预付款：合同金额的30%，计 ¥3,703.68，签订后 5 个工作日内支付。",
        "第2期 尾款：合同金额的70%，计 ¥8,641.92，到货验收后 30 日内支付，最迟于2027年1月31日前。",
        "后",
    ]


def test_a_text_field_written_as_a_paragraph_field_is_refused():
    with pytest.raises(ApplicationError) as refused:
        check_docx(_docx(lambda document: document.add_paragraph("{{p 甲方名称}}")))
    assert refused.value.code == "template_syntax"
    assert "甲方名称" in refused.value.message


def test_a_word_block_field_inside_text_or_a_table_cell_is_refused():
    def in_cell(document):
        document.add_table(rows=1, cols=1).rows[0].cells[0].text = "{{产品明细表}}"

    for build in (lambda document: document.add_paragraph("明细：{{产品明细表}}"), in_cell):
        with pytest.raises(ApplicationError) as refused:
            check_docx(_docx(build))
        assert refused.value.code == "template_block_placement"
        assert "{{产品明细表}}" in refused.value.message


def test_the_document_properties_are_checked_too():
    def build(document):
        document.core_properties.title = "{{合同名称}}"
        document.add_paragraph("正文")

    assert _read(render_docx(_docx(build), full_context())).core_properties.title == "不锈钢阀门购销合同"

    def unknown(document):
        document.core_properties.subject = "{{合同主题}}"

    with pytest.raises(ApplicationError) as refused:
        check_docx(_docx(unknown))
    assert refused.value.code == "unknown_template_fields"
    assert "{{合同主题}}" in refused.value.message


def test_docxtpl_itself_reads_the_chinese_field_names():
    from docxtpl import DocxTemplate

    from keshang.contracts.templating import field_names

    # given: the fixture, as docxtpl's own analysis sees it
    variables = DocxTemplate(BytesIO(_docx(_contract_docx))).get_undeclared_template_variables()
    # then: CJK names are Jinja identifiers, and every one docxtpl finds is a registered field
    assert {"甲方名称", "合同编号", "产品明细表", "付款条款"} <= variables <= set(field_names())
