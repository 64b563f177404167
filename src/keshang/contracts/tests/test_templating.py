"""The contract template engine (issue 13): merge fields, rich-text bodies and their PDF form. Pure functions over
a ContractContext: no database. Word templates: test_templating_word.py."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from keshang.contracts.templating import (
    BLOCK_FIELD_NAMES,
    FIELDS,
    GROUPS,
    check_template,
    clean_html,
    field_groups,
    field_names,
    find_fields,
    html_for_pdf,
    pdf_write_options,
    prepare_template,
    render_for_pdf,
    render_html,
)
from keshang.core.exceptions import ApplicationError

from .templating_fixtures import full_context, table_rows, text_of

#
# The registry
#

REQUIRED = [
    *("合同编号", "合同名称", "合同类型", "签订日期", "生效日期", "到期日期", "签订地点", "币种", "合同金额"),
    *("合同金额大写", "不含税金额", "税额", "交货条款", "备注", "产品明细表", "付款条款"),
    *(
        f"{party}{name}"
        for party in ("甲方", "乙方")
        for name in (
            "名称",
            "统一社会信用代码",
            "地址",
            "电话",
            "法定代表人",
            "签约代表",
            "联系人",
            "开户银行",
            "银行账号",
        )
    ),
]


def test_the_registry_declares_every_required_field_once_with_a_description():
    names = field_names()
    assert set(REQUIRED) <= set(names)
    assert len(names) == len(set(names))
    assert all(str(field.description) for field in FIELDS)
    assert set(BLOCK_FIELD_NAMES) == {"产品明细表", "付款条款"}


def test_the_picker_groups_hold_every_field_once_in_registry_order():
    groups = field_groups()
    assert [group.key for group, _fields in groups] == [group.key for group in GROUPS]
    assert [str(group.label) for group, _fields in groups] == ["合同", "甲方", "乙方", "金额", "明细", "付款"]
    assert all(fields for _group, fields in groups)
    assert sorted(field.name for _group, fields in groups for field in fields) == sorted(field_names())
    assert [field.name for field in dict(groups)[GROUPS[1]]][:2] == ["甲方名称", "甲方统一社会信用代码"]


@pytest.mark.parametrize("name", field_names())
def test_every_field_renders_a_non_empty_value_for_a_full_context(name):
    # when
    html = render_html(f"<p>{{{{{name}}}}}</p>", full_context())
    # then
    assert text_of(html).strip()
    assert "{{" not in html


def test_the_amounts_are_formatted_and_spelled_out():
    # given
    context = full_context(gross_amount=Decimal("12345.60"))
    body = "<p>{{合同金额}}|{{合同金额大写}}|{{不含税金额}}|{{税额}}|{{币种}}|{{签订日期}}</p>"
    # then
    assert render_html(body, context) == (
        "<p>¥12,345.60|人民币壹万贰仟叁佰肆拾伍元陆角整|¥10,925.31|¥1,420.29|人民币|2026年12月8日</p>"
    )


def test_a_foreign_currency_contract_prints_its_code_and_english_words():
    # given
    context = full_context(currency="USD", gross_amount=Decimal("1234.50"))
    # then
    assert render_html("<p>{{合同金额}}|{{合同金额大写}}|{{币种}}</p>", context) == (
        "<p>USD 1,234.50|SAY US DOLLARS ONE THOUSAND TWO HUNDRED AND THIRTY-FOUR AND CENTS FIFTY ONLY|美元</p>"
    )


#
# Finding and checking fields
#


def test_find_fields_reads_names_in_order_tolerating_spaces_inside_the_braces():
    text = "<p>{{甲方名称}}，{{ 乙方名称 }}，{{&nbsp;合同编号&nbsp;}}，{{甲方名称}}</p>"
    assert find_fields(text) == ["甲方名称", "乙方名称", "合同编号", "甲方名称"]


def test_a_template_of_known_fields_passes_the_check():
    check_template("<h1>{{合同名称}}</h1><p>甲方：{{ 甲方名称 }}</p><p>{{产品明细表}}</p><p>{{付款条款}}</p>")


def test_unknown_fields_are_refused_naming_each_once_in_order_of_appearance():
    # given
    body = "<p>{{甲方地扯}}：{{甲方名称}}</p><p>{{xx}}，{{甲方地扯}}，{{ 合同金頟 }}</p>"
    # when
    with pytest.raises(ApplicationError) as refused:
        check_template(body)
    # then
    message = "模板中有未知字段：{{甲方地扯}}、{{xx}}、{{合同金頟}}。"
    assert refused.value.code == "unknown_template_fields"
    assert refused.value.message == message
    assert refused.value.fields == {"body": [message]}


@pytest.mark.parametrize(
    "body",
    ["<p>{{甲方名称}</p>", "<p>{{甲方名称</p>", "<p>甲方名称}}</p>", "<p>{{甲方{名称}}</p>", "<p>{{ }}</p>"],
    ids=["one closing brace", "no closing braces", "no opening braces", "brace inside", "empty"],
)
def test_a_broken_brace_is_refused_as_template_syntax(body):
    # when
    with pytest.raises(ApplicationError) as refused:
        check_template(body)
    # then
    assert refused.value.code == "template_syntax"
    assert list(refused.value.fields) == ["body"]


def test_the_broken_brace_message_quotes_where_it_is():
    with pytest.raises(ApplicationError) as refused:
        check_template("<p>甲方：{{甲方名称}，乙方：{{乙方名称}}</p>", field="content")
    assert refused.value.code == "template_syntax"
    assert "{{甲方名称}，乙方：" in refused.value.message
    assert list(refused.value.fields) == ["content"]


@pytest.mark.parametrize(
    "body",
    [
        "<p>明细如下：{{产品明细表}}</p>",
        "<table><tr><td>{{产品明细表}}</td></tr></table>",
        "<ul><li>{{付款条款}}</li></ul>",
        "<p><strong>{{付款条款}}</strong></p>",
        "<p>{{产品明细表}}{{付款条款}}</p>",
    ],
    ids=["with text", "in a table", "in a list", "inside emphasis", "two in one paragraph"],
)
def test_a_block_field_outside_a_paragraph_of_its_own_is_refused(body):
    with pytest.raises(ApplicationError) as refused:
        check_template(body)
    assert refused.value.code == "template_block_placement"
    assert "须单独成段" in refused.value.message


def test_a_block_field_alone_in_a_paragraph_or_div_or_bare_passes():
    check_template("<p> {{产品明细表}}&nbsp;<br></p><div>{{付款条款}}</div>")
    check_template("{{产品明细表}}")


#
# Cleaning
#


def test_clean_html_strips_scripts_handlers_and_links_but_keeps_tables():
    # given
    dirty = (
        '<h2 onclick="steal()">第一条</h2><script>alert(1)</script><style>p{}</style>'
        '<p style="color:red" class="text-center evil">正文<img src=x onerror="alert(2)"></p>'
        '<p><a href="javascript:alert(3)">点我</a><iframe src="https://example.com"></iframe></p>'
        '<table border="9"><tr><th colspan="2">标题</th></tr>'
        '<tr><td rowspan="2" class="text-end">甲</td><td colspan="x" onmouseover="x()">乙</td></tr></table>'
    )
    # when
    clean = clean_html(dirty)
    # then
    assert clean == (
        '<h2>第一条</h2><p class="text-center">正文</p><p>点我</p>'
        '<table><tbody><tr><th colspan="2">标题</th></tr>'
        '<tr><td rowspan="2" class="text-end">甲</td><td>乙</td></tr></tbody></table>'
    )
    for gone in ("script", "onerror", "onclick", "javascript:", "style", "<img", "<a", "iframe", "evil"):
        assert gone not in clean


def test_rendering_cleans_the_body_itself():
    html = render_html('<p onclick="x()">{{甲方名称}}<script>alert(1)</script></p>', full_context())
    assert html == "<p>上海申海贸易有限公司</p>"


def test_prepare_template_returns_the_cleaned_body_and_refuses_unknown_fields():
    assert prepare_template("<p>{{合同编号}}<script>x</script></p>") == "<p>{{合同编号}}</p>"
    with pytest.raises(ApplicationError) as refused:
        prepare_template("<p>{{合同号}}</p>")
    assert refused.value.code == "unknown_template_fields"


#
# Rendering HTML
#


def test_values_are_html_escaped():
    # given
    context = full_context(party_a=dataclasses.replace(full_context().party_a, name="<script>alert(1)</script>&公司"))
    # when
    html = render_html("<p>甲方：{{甲方名称}}</p>", context)
    # then
    assert html == "<p>甲方：&lt;script&gt;alert(1)&lt;/script&gt;&amp;公司</p>"


def test_a_value_looking_like_a_field_is_not_filled_again():
    context = full_context(notes="{{甲方名称}}")
    assert render_html("<p>{{备注}}</p>", context) == "<p>{{甲方名称}}</p>"


def test_line_breaks_in_a_value_become_br():
    assert render_html("<p>{{交货条款}}</p>", full_context()) == "<p>2027年1月15日前送达甲方仓库<br>运费由乙方承担</p>"


def test_the_product_table_has_the_rows_and_the_total_in_figures_and_words():
    # when
    html = render_html("<p>本合同产品如下：</p><p>{{产品明细表}}</p>", full_context())
    # then
    assert html.startswith('<p>本合同产品如下：</p><table class="contract-lines" border="1" width="100%">')
    assert table_rows(html) == [
        ["序号", "商品编码", "商品名称", "规格", "单位", "数量", "含税单价", "税率", "金额"],
        ["1", "P-001", "不锈钢球阀", "DN50 PN16", "个", "10", "1,000.00", "13%", "10,000.00"],
        ["2", "P-002", "法兰垫片", "DN50", "片", "20", "117.28", "13%", "2,345.60"],
        ["合计", "¥12,345.60"],
        ["金额大写：人民币壹万贰仟叁佰肆拾伍元陆角整"],
    ]


def test_product_values_in_the_table_are_escaped():
    context = full_context(lines=[dataclasses.replace(full_context().lines[0], product_name="<b>阀</b>&")])
    assert '<td align="left">&lt;b&gt;阀&lt;/b&gt;&amp;</td>' in render_html("<p>{{产品明细表}}</p>", context)


def test_the_payment_terms_are_one_paragraph_per_instalment():
    assert render_html("<p>{{付款条款}}</p>", full_context()) == (
        "<p>第1期 预付款：合同金额的30%，计 ¥3,703.68，签订后 5 个工作日内支付。</p>"
        "<p>第2期 尾款：合同金额的70%，计 ¥8,641.92，到货验收后 30 日内支付，最迟于2027年1月31日前。</p>"
    )


def test_a_contract_without_lines_or_instalments_prints_no_blocks():
    html = render_html("<p>{{产品明细表}}</p><p>{{付款条款}}</p><p>完</p>", full_context(lines=(), stages=()))
    assert html == "<p>完</p>"


#
# PDF
#

CONTRACT_BODY = """<h1 class="text-center">{{合同名称}}</h1>
<p class="text-end">合同编号：{{合同编号}}</p>
<p>甲方（买方）：<strong>{{甲方名称}}</strong><br>统一社会信用代码：{{甲方统一社会信用代码}}</p>
<p>乙方（卖方）：{{乙方名称}}</p>
<h2>第一条 产品明细</h2>
<p>{{产品明细表}}</p>
<p>合同金额：{{合同金额}}（{{合同金额大写}}），其中不含税金额 {{不含税金额}}，税额 {{税额}}。</p>
<h2>第二条 付款方式</h2>
<p>{{付款条款}}</p>
<h2>第三条 交货</h2>
<div>{{交货条款}}</div>
<ul><li><p>质量标准：符合国家标准。</p></li><li>验收：到货后 7 日内验收。</li></ul>
<table><tr><th>甲方</th><th>乙方</th></tr>
<tr><td><p>{{甲方名称}}</p><p>签约代表：<em>{{甲方签约代表}}</em></p></td>
<td><p><strong>{{乙方名称}}</strong></p><p>签约代表：{{乙方签约代表}}</p></td></tr></table>
<p>签订日期：{{签订日期}}，签订地点：{{签订地点}}</p>"""


def test_html_for_pdf_flattens_cells_and_maps_what_fpdf2_does_not_know():
    # given
    html = (
        '<div class="text-center">居中<br>两行</div><p><strong>粗</strong><u>下划线</u></p>'
        '<table><thead><tr><th class="text-end">甲</th></tr></thead>'
        "<tbody><tr><td><p>一</p><p><strong>二</strong></p></td></tr></tbody></table>"
        "<ul><li><p>条款</p></li></ul>"
    )
    # then
    assert html_for_pdf(html) == (
        '<p align="center">居中<br>两行</p><p>粗<u>下划线</u></p>'
        '<table border="1" width="100%"><tr><td align="right" bgcolor="#eef1f5">甲</td></tr>'
        "<tr><td>一 二</td></tr></table>"
        "<ul><li> 条款</li></ul>"
    )


def _pdf(html: str) -> bytes:
    from fpdf import FPDF

    from keshang.core.documents.printing import _font_path

    pdf = FPDF(format="A4")
    pdf.add_font("noto", fname=_font_path())
    pdf.set_margins(14, 14, 14)
    pdf.add_page()
    pdf.set_font("noto", size=10.5)
    pdf.write_html(html, **pdf_write_options())
    return bytes(pdf.output())


def test_render_for_pdf_is_drawn_by_fpdf2_with_the_chinese_font(tmp_path):
    import pypdfium2

    # when
    data = _pdf(render_for_pdf(CONTRACT_BODY, full_context()))
    # then: the Chinese text, the table and the total are on page 1, and it rasterises
    document = pypdfium2.PdfDocument(data)
    page = document[0]
    text = page.get_textpage().get_text_range()
    for expected in (
        "不锈钢阀门购销合同",
        "序号 商品编码 商品名称 规格 单位 数量 含税单价 税率 金额",
        "1 P-001 不锈钢球阀 DN50 PN16 个 10 1,000.00 13% 10,000.00",
        "合计 ¥12,345.60",
        "金额大写：人民币壹万贰仟叁佰肆拾伍元陆角整",
        "第1期 预付款：合同金额的30%，计 ¥3,703.68，签订后 5 个工作日内支付。",
        "杭州科商阀门制造有限公司 签约代表：周杰",
    ):
        assert expected in text
    image = page.render(scale=1.5).to_pil()
    image.save(tmp_path / "template-render.png")
    assert image.size[0] > 800
    document.close()


def test_a_body_with_nested_tables_still_draws():
    body = "<table><tr><td><table><tr><td>{{甲方名称}}</td></tr></table>附</td></tr></table>"
    assert html_for_pdf(clean_html(body)) == '<table border="1" width="100%"><tr><td>{{甲方名称}} 附</td></tr></table>'
    assert _pdf(render_for_pdf(body, full_context())).startswith(b"%PDF")
