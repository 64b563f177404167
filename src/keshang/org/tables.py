from django.utils.translation import gettext_lazy as _

from keshang.core.tables import Column, Table

__all__ = ["DepartmentTable", "UserTable", "RoleTable", "CompanyTable"]


class DepartmentTable(Table):
    columns = (
        Column("name", _("部门名称"), order_by="name", link=True),
        Column("code", _("部门编码"), order_by="code"),
        Column("parent", _("上级部门"), order_by="parent__name"),
        Column("head", _("负责人")),
        Column("is_active", _("启用"), order_by="is_active"),
    )
    default_order = "path"


class UserTable(Table):
    columns = (
        Column("username", _("用户名"), order_by="username", link=True),
        Column("name", _("姓名"), order_by="name"),
        Column("department", _("部门"), order_by="department__name"),
        Column("position", _("职位"), order_by="position"),
        Column("phone", _("手机")),
        Column("email", _("邮箱")),
        Column("roles", _("角色")),
        Column("is_active", _("启用"), order_by="is_active"),
        Column("last_login", _("最近登录"), order_by="last_login"),
    )
    default_order = "username"


class RoleTable(Table):
    columns = (
        Column("name", _("角色名称"), order_by="name", link=True),
        Column("persona", _("预置角色"), order_by="persona"),
        Column("description", _("说明")),
        Column("is_active", _("启用"), order_by="is_active"),
        Column("updated_at", _("更新时间"), order_by="updated_at"),
    )
    default_order = "name"


class CompanyTable(Table):
    columns = (
        Column("name", _("公司名称"), order_by="name", link=True),
        Column("short_name", _("简称"), order_by="short_name"),
        Column("credit_code", _("统一社会信用代码")),
        Column("address", _("地址")),
        Column("phone", _("电话")),
        Column("is_default", _("默认销售方"), order_by="is_default"),
        Column("is_active", _("启用"), order_by="is_active"),
    )
    default_order = "name"
