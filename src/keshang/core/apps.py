from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "keshang.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from . import signals  # noqa: F401  (auth events → audit trail)
        from .demo import load_core_demo
        from .permissions import Action, Persona, Resource, Scope, register_resource
        from .registry import (
            HomeWidget,
            MenuItem,
            register_demo_loader,
            register_home_widget,
            register_menu_group,
            register_menu_item,
        )
        from .widgets import notifications_widget, recent_activity_widget

        register_menu_group("home", _("工作台"), 0)
        register_menu_group("settings", _("系统设置"), 900)
        register_menu_item(MenuItem("home", _("首页"), "web:home", order=0))
        register_menu_item(MenuItem("home", _("通知中心"), "core:notification_list", order=10))
        register_menu_item(MenuItem("settings", _("币种"), "core:currency_list", "core.currency", order=40))
        register_menu_item(MenuItem("settings", _("汇率"), "core:exchangerate_list", "core.exchangerate", order=50))
        register_menu_item(MenuItem("settings", _("审计日志"), "core:auditentry_list", "core.auditentry", order=90))
        register_menu_item(MenuItem("settings", _("数据备份"), "core:backup_list", "core.backuprun", order=95))
        register_home_widget(HomeWidget("notifications", "core/widgets/notifications.html", notifications_widget, 10))
        register_home_widget(HomeWidget("activity", "core/widgets/activity.html", recent_activity_widget, 20))
        register_demo_loader(load_core_demo, order=5)

        everyone_own = {persona: ((Action.VIEW,), Scope.OWN) for persona in Persona.values}
        register_resource(
            Resource(
                "core.auditentry",
                _("审计日志"),
                actions=(Action.VIEW, Action.EXPORT),
                scoped=True,
                defaults={
                    **everyone_own,
                    Persona.MANAGEMENT: ((Action.VIEW, Action.EXPORT), Scope.ALL),
                    Persona.ADMIN: ((Action.VIEW, Action.EXPORT), Scope.ALL),
                },
            )
        )
        read = {persona: ((Action.VIEW,), Scope.ALL) for persona in Persona.values}
        write = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)
        register_resource(
            Resource(
                "core.currency",
                _("币种"),
                defaults={**read, Persona.FINANCE: (write, Scope.ALL), Persona.ADMIN: (write, Scope.ALL)},
            )
        )
        register_resource(
            Resource(
                "core.exchangerate",
                _("汇率"),
                defaults={**read, Persona.FINANCE: (write, Scope.ALL), Persona.ADMIN: (write, Scope.ALL)},
            )
        )
        # The backup page: administrators list and run backups; downloading the whole database takes a superuser.
        register_resource(
            Resource(
                "core.backuprun",
                _("数据备份"),
                actions=(Action.VIEW, Action.ADD),
                defaults={Persona.ADMIN: ((Action.VIEW, Action.ADD), Scope.ALL)},
            )
        )
        # Reference data: everyone picks addresses from it; it changes only when a new code list ships.
        register_resource(Resource("core.region", _("行政区划"), actions=(Action.VIEW,), defaults=read))
        from .approvals import register as register_approvals
        from .importing import register as register_importing

        register_importing()
        register_approvals()
