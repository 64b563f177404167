"""List and export columns of opportunities, stages, quotations and orders."""

from django.utils.translation import gettext_lazy as _

from keshang.core.tables import AmountColumn, Column, Table, display_value

from .services import weighted_amount

__all__ = ["OpportunityTable", "OpportunityStageTable", "QuotationTable", "SalesOrderTable"]


class OpportunityTable(Table):
    columns = (
        Column("name", _("商机名称"), order_by="name", link=True),
        Column("partner", _("客户"), order_by="partner__name", link="partner"),
        Column("stage", _("阶段"), order_by="stage__order"),
        Column("status", _("状态"), order_by="status"),
        AmountColumn("expected_amount", _("预计金额"), order_by="expected_amount"),
        AmountColumn("weighted_amount", _("加权金额")),
        Column("expected_close_date", _("预计成交日期"), order_by="expected_close_date"),
        Column("owner", _("负责人"), order_by="owner__name"),
        Column("department", _("所属部门"), order_by="department__name"),
        Column("source", _("来源")),
        Column("updated_at", _("更新时间"), order_by="updated_at"),
    )
    default_order = "-updated_at"

    def cell(self, obj, column):
        if column.accessor == "weighted_amount":
            return display_value(weighted_amount(obj.expected_amount, obj.stage.probability))
        return super().cell(obj, column)


class OpportunityStageTable(Table):
    columns = (
        Column("name", _("阶段名称"), order_by="name", link=True),
        Column("order", _("排序"), order_by="order"),
        Column("probability", _("赢单概率（%）"), order_by="probability"),
        Column("is_won", _("赢单阶段")),
        Column("is_lost", _("输单阶段")),
        Column("is_active", _("启用"), order_by="is_active"),
    )
    default_order = "order"


class QuotationTable(Table):
    columns = (
        Column("__str__", _("报价单号"), order_by="number", link=True),
        Column("partner", _("客户"), order_by="partner__name", link="partner"),
        Column("status", _("状态"), order_by="status"),
        Column("quote_date", _("报价日期"), order_by="quote_date"),
        Column("valid_until", _("有效期至"), order_by="valid_until"),
        AmountColumn("gross_amount", _("价税合计"), order_by="gross_amount"),
        Column("currency", _("币种"), order_by="currency"),
        Column("max_discount_percent", _("最大折扣率（%）"), order_by="max_discount_percent", align="end"),
        Column("owner", _("负责人"), order_by="owner__name"),
        Column("department", _("所属部门"), order_by="department__name"),
    )
    default_order = "-quote_date"


class SalesOrderTable(Table):
    columns = (
        Column("__str__", _("订单号"), order_by="number", link=True),
        Column("partner", _("客户"), order_by="partner__name", link="partner"),
        Column("status", _("状态"), order_by="status"),
        Column("order_date", _("订单日期"), order_by="order_date"),
        Column("delivery_date", _("交货日期"), order_by="delivery_date"),
        AmountColumn("gross_amount", _("价税合计"), order_by="gross_amount"),
        Column("currency", _("币种"), order_by="currency"),
        Column("delivery_status", _("发货状态"), order_by="delivery_status"),
        Column("payment_status", _("收款状态"), order_by="payment_status"),
        Column("owner", _("负责人"), order_by="owner__name"),
    )
    default_order = "-order_date"
