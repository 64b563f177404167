"""Columns of the partner lists, defined once for the page and the CSV/Excel export."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.core.tables import Column, Table

from .models import Handover, HandoverKind
from .registry import describe_moved

__all__ = [
    "PartnerTable",
    "ContactTable",
    "PoolTable",
    "HandoverTable",
    "DuplicateExportTable",
    "PartnerLevelTable",
    "IndustryTable",
    "TagTable",
]


def _mark_unverified(cells, obj, *, accessor: str, flag: str) -> None:
    """On screen, a number an import kept as typed says so: 030-0074321（未核实）. Exports keep the number clean
    and carry the flag in a column of its own."""
    if not getattr(obj, flag):
        return
    for index, (column, value, url) in enumerate(cells):
        if column.accessor == accessor and value:
            cells[index] = (column, _("%(number)s（未核实）") % {"number": value}, url)


NAME = Column("name", gettext_lazy("名称"), order_by="name", link=True)
PHONE = Column("phone", gettext_lazy("电话"))
CODE = Column("code", gettext_lazy("编号"), order_by="code")
STATUS = Column("status", gettext_lazy("状态"), order_by="status")
OWNER = Column("owner", gettext_lazy("负责人"), order_by="owner__name")
PLACE = Column("place_display", gettext_lazy("地区"), order_by="region__code")
REGION = Column("region.full_name", gettext_lazy("地区"), order_by="region__code")
LEVEL = Column("level.code", gettext_lazy("级别"), order_by="level__order")
LAST_FOLLOWUP = Column("last_followup_at", gettext_lazy("最近跟进"), order_by="last_followup_at")
CREATED = Column("created_at", gettext_lazy("创建时间"), order_by="created_at")
SHORT_NAME = Column("short_name", gettext_lazy("简称"))
ROLES = Column("roles_display", gettext_lazy("角色"))
INDUSTRY = Column("industry", gettext_lazy("行业"))
COUNTRY = Column("country", gettext_lazy("国家/地区"))
PHONE_UNVERIFIED = Column("phone_unverified", gettext_lazy("电话未核实"))
DEPARTMENT = Column("department", gettext_lazy("所属部门"))


class PartnerTable(Table):
    """On screen, the columns people scan, name and phone first, each kept short (the level's code, province
    and city or the country): they fit 1366 px beside the menu, and on a 390 px phone name and phone show
    before the table scrolls. The export has every column in full."""

    columns = (NAME, PHONE, CODE, STATUS, OWNER, PLACE, LEVEL, LAST_FOLLOWUP, CREATED)
    default_order = "-created_at"

    def export_columns(self) -> list[Column]:
        return [
            CODE,
            NAME,
            SHORT_NAME,
            ROLES,
            STATUS,
            Column("level", gettext_lazy("级别"), order_by="level__order"),
            INDUSTRY,
            COUNTRY,
            REGION,
            PHONE,
            PHONE_UNVERIFIED,
            OWNER,
            DEPARTMENT,
            LAST_FOLLOWUP,
            CREATED,
        ]

    def rows(self, objects, detail_url=None):
        """On screen, dates without the time (the export keeps it), so the list fits beside the menu."""
        rows = super().rows(objects, detail_url)
        for obj, cells in rows:
            for index, (column, value, url) in enumerate(cells):
                if column in (LAST_FOLLOWUP, CREATED) and value:
                    day = timezone.localdate(getattr(obj, column.accessor))
                    cells[index] = (column, day.isoformat(), url)
            _mark_unverified(cells, obj, accessor="phone", flag="phone_unverified")
        return rows


class ContactTable(Table):
    columns = (
        Column("name", gettext_lazy("姓名"), order_by="name", link=True),
        Column("partner", gettext_lazy("客商"), order_by="partner__name", link="partner"),
        Column("title", gettext_lazy("职务")),
        Column("decision_role", gettext_lazy("决策角色"), order_by="decision_role"),
        Column("mobile", gettext_lazy("手机")),
        Column("email", gettext_lazy("邮箱")),
        Column("is_primary", gettext_lazy("主联系人"), order_by="is_primary"),
    )
    default_order = "name"

    def export_columns(self) -> list[Column]:
        return [*self.columns, Column("mobile_unverified", gettext_lazy("手机未核实"))]

    def rows(self, objects, detail_url=None):
        rows = super().rows(objects, detail_url)
        for obj, cells in rows:
            _mark_unverified(cells, obj, accessor="mobile", flag="mobile_unverified")
        return rows


#
# The pool and handovers
#


class PoolTable(Table):
    """The pool's columns: who the partner is, not how to reach them (phone and e-mail stay masked
    unless ``view_sensitive`` covers the row)."""

    columns = (
        Column("name", gettext_lazy("名称"), order_by="name"),
        Column("roles_display", gettext_lazy("角色")),
        Column("industry", gettext_lazy("行业"), order_by="industry__name"),
        Column("level", gettext_lazy("级别"), order_by="level__order"),
        Column("region.full_name", gettext_lazy("地区"), order_by="region__code"),
        Column("status", gettext_lazy("状态"), order_by="status"),
        Column("phone", gettext_lazy("电话")),
        Column("email", gettext_lazy("邮箱")),
        Column("pooled_at", gettext_lazy("进入公海时间"), order_by="pooled_at"),
    )
    default_order = "-pooled_at"


class HandoverTable(Table):
    columns = (
        Column("created_at", gettext_lazy("时间"), order_by="created_at"),
        Column("partner", gettext_lazy("客商"), order_by="partner__name", link="partner"),
        Column("kind", gettext_lazy("方式"), order_by="kind"),
        Column("from_owner", gettext_lazy("原负责人"), order_by="from_owner__name"),
        Column("to_owner", gettext_lazy("新负责人"), order_by="to_owner__name"),
        Column("reason", gettext_lazy("原因"), order_by="reason"),
        Column("notes", gettext_lazy("交接说明")),
        Column("moved", gettext_lazy("随之转移")),
        Column("created_by", gettext_lazy("操作人")),
    )
    default_order = "-created_at"

    def cell(self, obj, column):
        if column.accessor == "moved":
            return describe_moved(obj.moved)
        if column.accessor in ("from_owner", "to_owner") and getattr(obj, f"{column.accessor}_id") is None:
            return str(_("公海")) if _pool_side(obj, column.accessor) else ""
        if column.accessor == "created_by" and obj.created_by_id is None:
            return str(_("系统"))
        return super().cell(obj, column)


def _pool_side(handover: Handover, side: str) -> bool:
    """Whether an empty owner on this side of the handover is the pool (not a deleted user)."""
    if side == "to_owner":
        return handover.kind in (HandoverKind.RELEASE, HandoverKind.RECYCLE)
    return handover.kind in (HandoverKind.CLAIM, HandoverKind.ASSIGN)


#
# The duplicate finder's export: one row per member of each group
#


class DuplicateExportTable(Table):
    columns = (
        Column("group", gettext_lazy("组号")),
        Column("reason", gettext_lazy("重复原因")),
        Column("name", gettext_lazy("名称")),
        Column("owner", gettext_lazy("负责人")),
        Column("department", gettext_lazy("所属部门")),
        Column("credit_code", gettext_lazy("统一社会信用代码")),
        Column("phone", gettext_lazy("电话")),
        Column("created_at", gettext_lazy("创建时间")),
        Column("contact_count", gettext_lazy("联系人数")),
    )


#
# Classification lists
#


class PartnerLevelTable(Table):
    columns = (
        Column("code", gettext_lazy("级别代码"), order_by="code", link=True),
        Column("name", gettext_lazy("级别名称"), order_by="name"),
        Column("order", gettext_lazy("排序"), order_by="order"),
    )
    default_order = "order"


class IndustryTable(Table):
    columns = (
        Column("name", gettext_lazy("行业"), order_by="name", link=True),
        Column("order", gettext_lazy("排序"), order_by="order"),
    )
    default_order = "order"


class TagTable(Table):
    columns = (Column("name", gettext_lazy("标签"), order_by="name", link=True),)
    default_order = "name"
