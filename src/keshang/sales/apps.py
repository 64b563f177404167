from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SalesConfig(AppConfig):
    name = "keshang.sales"
    label = "sales"
    verbose_name = _("销售")

    def ready(self):
        from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource
        from keshang.core.registry import MenuItem, register_menu_group, register_menu_item

        crud = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)
        documents = (*crud, Action.APPROVE, Action.ASSIGN)
        everyone = {persona: ((Action.VIEW,), Scope.ALL) for persona in Persona.values}
        for label, name in (
            ("sales.opportunity", pgettext_lazy("plural", "商机")),
            ("sales.quotation", pgettext_lazy("plural", "报价单")),
            ("sales.salesorder", pgettext_lazy("plural", "销售订单")),
        ):
            read_all = ((Action.VIEW, Action.EXPORT), Scope.ALL)
            defaults = {
                Persona.SALES: (crud, Scope.OWN),
                Persona.SALES_MANAGER: (documents, Scope.DEPARTMENT_TREE),
                Persona.MANAGEMENT: read_all,
                Persona.ADMIN: (documents, Scope.ALL),
            }
            if label == "sales.salesorder":
                defaults |= {Persona.FINANCE: read_all, Persona.WAREHOUSE: ((Action.VIEW,), Scope.ALL)}
            elif label == "sales.quotation":
                defaults |= {Persona.FINANCE: read_all}
            register_resource(Resource(label, name, actions=documents, scoped=True, defaults=defaults))
        register_resource(
            Resource(
                "sales.opportunitystage",
                pgettext_lazy("plural", "商机阶段"),
                actions=crud,
                defaults={**everyone, Persona.ADMIN: (crud, Scope.ALL)},
            )
        )

        register_menu_group("sales", _("销售管理"), 15)
        for order, (label, url_name, resource) in enumerate(
            (
                (pgettext_lazy("plural", "商机"), "sales:opportunity_list", "sales.opportunity"),
                (_("商机看板"), "sales:opportunity_board", "sales.opportunity"),
                (_("销售漏斗"), "sales:opportunity_funnel", "sales.opportunity"),
                (pgettext_lazy("plural", "报价单"), "sales:quotation_list", "sales.quotation"),
                (pgettext_lazy("plural", "销售订单"), "sales:salesorder_list", "sales.salesorder"),
            )
        ):
            register_menu_item(MenuItem("sales", label, url_name, resource, order=10 * (order + 1)))

        from . import opportunities, orders, quotations

        for feature in (opportunities, quotations, orders):
            feature.register()
