"""The default contract templates ``keshang setup`` creates, one per kind (issue 13): real-looking Chinese bodies
with 甲乙双方, 产品明细表, 付款条款, 交货, 违约责任 and 争议解决, written with merge fields. Kept as data: the
administrators edit their copies on the 合同模板 pages."""

from __future__ import annotations

from ..models import ContractKind

__all__ = ["DEFAULT_TEMPLATES"]

# The PDF prints the title, the number and both parties' blocks above the body, and the signatures below it.
_PARTIES = "<p>甲方：{{甲方名称}}（以下简称“甲方”）<br>乙方：{{乙方名称}}（以下简称“乙方”）</p>\n"

_DISPUTES = """
<h3>第{n1}条 违约责任</h3>
<p>1. 任何一方未按本合同约定履行义务的，应向守约方支付合同金额 0.05% / 日的违约金，但累计不超过合同金额的 10%。</p>
<p>2. 因不可抗力导致不能履行的，受影响一方应及时通知对方，并在合理期限内提供证明，可部分或全部免除责任。</p>
<h3>第{n2}条 争议解决</h3>
<p>因本合同引起的或与本合同有关的任何争议，双方应友好协商解决；协商不成的，任何一方均可向{court}所在地有管辖权的人民法院提起诉讼。</p>
<h3>第{n3}条 其他</h3>
<p>1. 本合同自双方签字盖章之日起生效，有效期至 {{{{到期日期}}}}。本合同一式两份，双方各执一份，具有同等法律效力。</p>
<p>2. 本合同未尽事宜，双方可另行签订补充协议，补充协议与本合同具有同等法律效力。</p>
<p>备注：{{{{备注}}}}</p>
"""


def _goods_contract(*, goods: str, deliver: str, accept: str, court: str) -> str:
    return (
        _PARTIES + "<p>甲乙双方根据《中华人民共和国民法典》及有关法律法规，本着平等自愿、诚实信用的原则，经协商一致，"
        f"就{goods}事宜订立本合同，共同遵守。</p>\n"
        f"<h3>第一条 {goods}明细</h3>\n"
        "<p>{{产品明细表}}</p>\n"
        "<p>合同金额（含税）：{{合同金额}}（大写：{{合同金额大写}}），其中不含税金额 {{不含税金额}}，税额 {{税额}}。"
        "币种：{{币种}}。</p>\n"
        "<h3>第二条 质量标准</h3>\n"
        "<p>产品质量应符合国家标准、行业标准及双方确认的技术要求；无上述标准的，按双方封存的样品执行。</p>\n"
        "<h3>第三条 交货</h3>\n"
        f"<p>1. 交货时间、地点及方式：{{{{交货条款}}}}。</p>\n<p>2. {deliver}</p>\n"
        "<h3>第四条 验收</h3>\n"
        f"<p>{accept}</p>\n"
        "<h3>第五条 付款条款</h3>\n"
        "<p>{{付款条款}}</p>\n"
        "<p>收款账户：{{乙方开户银行}}，账号 {{乙方银行账号}}。乙方应在收款前开具合法有效的增值税专用发票。</p>\n"
        + _DISPUTES.format(n1="六", n2="七", n3="八", court=court)
    )


_FRAMEWORK = (
    _PARTIES + "<p>为建立长期稳定的合作关系，甲乙双方经友好协商，"
    "就甲方在协议有效期内向乙方分批采购产品事宜达成如下框架协议。</p>\n"
    "<h3>第一条 协议产品及价格</h3>\n"
    "<p>协议有效期内，甲方按下表所列产品和单价向乙方下达订单，实际数量以每次订单为准：</p>\n"
    "<p>{{产品明细表}}</p>\n"
    "<p>协议预计总金额（含税）：{{合同金额}}（大写：{{合同金额大写}}）。</p>\n"
    "<h3>第二条 订单</h3>\n"
    "<p>甲方以书面或电子订单方式下单，订单经乙方确认后构成本协议的组成部分；订单与本协议不一致的，以本协议为准。</p>\n"
    "<h3>第三条 交货</h3>\n"
    "<p>交货时间、地点及方式：{{交货条款}}。每批货物随附送货单，甲方签收即视为该批货物数量验收完毕。</p>\n"
    "<h3>第四条 付款条款</h3>\n"
    "<p>{{付款条款}}</p>\n"
    "<p>收款账户：{{乙方开户银行}}，账号 {{乙方银行账号}}。</p>\n"
    "<h3>第五条 协议期限</h3>\n"
    "<p>本协议自 {{生效日期}} 起至 {{到期日期}} 止。期满前一个月双方可协商续签。</p>\n"
    + _DISPUTES.format(n1="六", n2="七", n3="八", court="乙方")
)

DEFAULT_TEMPLATES = {
    ContractKind.SALES: (
        "标准销售合同",
        _goods_contract(
            goods="产品购销",
            deliver="乙方负责将货物运至甲方指定地点，运费由乙方承担，货物毁损灭失的风险自甲方签收时转移。",
            accept="甲方应在货物到达后 7 日内验收，逾期未提出书面异议的，视为验收合格。",
            court="乙方",
        ),
    ),
    ContractKind.PURCHASE: (
        "标准采购合同",
        _goods_contract(
            goods="物资采购",
            deliver="乙方应按约定时间将货物送达，并随货提供合格证、装箱单及检验报告；延迟交货的按违约条款处理。",
            accept="甲方收货后 10 日内按合同约定的质量标准验收，不合格产品乙方应在 7 日内无条件退换。",
            court="甲方",
        ),
    ),
    ContractKind.PACKING: (
        "标准包装合同",
        _goods_contract(
            goods="包装物定制及包装服务",
            deliver="包装材料的规格、印刷内容以甲方确认的样稿为准，乙方不得将甲方的标识用于其他用途。",
            accept="甲方按确认样稿抽检，印刷色差、尺寸偏差超出约定范围的，乙方负责重做并承担费用。",
            court="甲方",
        ),
    ),
    ContractKind.PROCESSING: (
        "标准加工合同",
        _goods_contract(
            goods="委托加工",
            deliver="甲方提供的原材料由乙方妥善保管、专料专用，加工损耗率不得超过双方约定的标准，剩余材料如数退还。",
            accept="甲方按图纸及技术要求验收加工成品，因乙方工艺原因造成的不合格品由乙方返工或赔偿材料损失。",
            court="甲方",
        ),
    ),
    ContractKind.FRAMEWORK: ("标准框架协议", _FRAMEWORK),
}
