from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keshang.core.tables import Column, Table

__all__ = ["PartnerTable", "ContactTable"]


def _mark_unverified(cells, obj, *, accessor: str, flag: str) -> None:
    """On screen, a number an import kept as typed says so: 030-0074321（未核实）. Exports keep the number clean
    and carry the flag in a column of its own."""
    if not getattr(obj, flag):
        return
    for index, (column, value, url) in enumerate(cells):
        if column.accessor == accessor and value:
            cells[index] = (column, gettext("%(number)s（未核实）") % {"number": value}, url)


class PartnerTable(Table):
    columns = (
        Column("name", _("名称"), order_by="name", link=True),
        Column("code", _("编号"), order_by="code"),
        Column("short_name", _("简称")),
        Column("roles_display", _("角色")),
        Column("status", _("状态"), order_by="status"),
        Column("level", _("级别"), order_by="level__order"),
        Column("industry", _("行业"), order_by="industry__name"),
        Column("country", _("国家/地区"), order_by="country"),
        Column("region.full_name", _("地区"), order_by="region__code"),
        Column("phone", _("电话")),
        Column("owner", _("负责人"), order_by="owner__name"),
        Column("department", _("所属部门"), order_by="department__name"),
        Column("last_followup_at", _("最近跟进"), order_by="last_followup_at"),
        Column("created_at", _("创建时间"), order_by="created_at"),
    )
    default_order = "-created_at"

    def export_columns(self) -> list[Column]:
        return [*self.columns, Column("phone_unverified", _("电话未核实"))]

    def rows(self, objects, detail_url=None):
        rows = super().rows(objects, detail_url)
        for obj, cells in rows:
            _mark_unverified(cells, obj, accessor="phone", flag="phone_unverified")
        return rows


class ContactTable(Table):
    columns = (
        Column("name", _("姓名"), order_by="name"),
        Column("partner", _("客商"), order_by="partner__name", link="partner"),
        Column("title", _("职务")),
        Column("decision_role", _("决策角色"), order_by="decision_role"),
        Column("mobile", _("手机")),
        Column("email", _("邮箱")),
        Column("is_primary", _("主联系人"), order_by="is_primary"),
    )
    default_order = "name"

    def export_columns(self) -> list[Column]:
        return [*self.columns, Column("mobile_unverified", _("手机未核实"))]

    def rows(self, objects, detail_url=None):
        rows = super().rows(objects, detail_url)
        for obj, cells in rows:
            _mark_unverified(cells, obj, accessor="mobile", flag="mobile_unverified")
        return rows
