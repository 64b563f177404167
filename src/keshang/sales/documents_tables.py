from django.utils.translation import gettext_lazy as _

from keshang.core.tables import Column, Table

__all__ = ["QuotationTable", "SalesOrderTable"]


class QuotationTable(Table):
    columns = (
        Column("__str__", _("报价单号"), order_by="number", link=True),
        Column("partner", _("客户"), order_by="partner__name", link="partner"),
        Column("status", _("状态"), order_by="status"),
        Column("quote_date", _("报价日期"), order_by="quote_date"),
        Column("valid_until", _("有效期至"), order_by="valid_until"),
        Column("gross_amount", _("价税合计"), order_by="gross_amount"),
        Column("max_discount_percent", _("最大折扣率（%）"), order_by="max_discount_percent"),
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
        Column("gross_amount", _("价税合计"), order_by="gross_amount"),
        Column("delivery_status", _("发货状态"), order_by="delivery_status"),
        Column("payment_status", _("收款状态"), order_by="payment_status"),
        Column("owner", _("负责人"), order_by="owner__name"),
    )
    default_order = "-order_date"
