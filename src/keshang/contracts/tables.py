"""List and export columns of contracts: with what was collected and how many payment stages that covers."""

from django.utils.translation import gettext_lazy as _

from keshang.core.tables import AmountColumn, Column, Table, display_value

from .selectors import stages_paid

__all__ = ["ContractTable", "ContractCategoryTable"]


class ContractTable(Table):
    columns = (
        Column("__str__", _("合同编号"), order_by="number", link=True),
        Column("title", _("合同名称"), order_by="title"),
        Column("kind", _("合同类型"), order_by="kind"),
        Column("partner", _("对方"), order_by="partner__name", link="partner"),
        Column("status", _("状态"), order_by="status"),
        Column("sign_date", _("签订日期"), order_by="sign_date"),
        Column("end_date", _("到期日期"), order_by="end_date"),
        AmountColumn("gross_amount", _("合同金额"), order_by="gross_amount"),
        Column("currency", _("币种"), order_by="currency"),
        AmountColumn("collected", _("已收款"), order_by="collected"),
        Column("collected_percent", _("回款比例"), align="end"),
        Column("stages_paid", _("付款阶段（已付/总数）"), align="end"),
        Column("owner", _("负责人"), order_by="owner__name"),
    )
    default_order = "-sign_date"

    def cell(self, obj, column):
        if column.accessor == "collected_percent":
            if not obj.gross_amount:
                return ""
            return f"{(obj.collected * 100 / obj.gross_amount).quantize(1)}%"
        if column.accessor == "stages_paid":
            paid, total = stages_paid(obj, obj.collected)
            return display_value(f"{paid}/{total}")
        return super().cell(obj, column)


class ContractCategoryTable(Table):
    columns = (
        Column("name", _("名称"), order_by="name", link=True),
        Column("kind", _("适用合同类型"), order_by="kind"),
        Column("sort_order", _("排序"), order_by="sort_order"),
        Column("is_active", _("启用"), order_by="is_active"),
    )
    default_order = "sort_order"
