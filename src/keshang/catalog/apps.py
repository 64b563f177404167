from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CatalogConfig(AppConfig):
    name = "keshang.catalog"
    label = "catalog"
    verbose_name = _("商品")

    def ready(self):
        from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource
        from keshang.core.registry import MenuItem, register_menu_group, register_menu_item

        crud = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)
        everyone = {persona: ((Action.VIEW,), Scope.ALL) for persona in Persona.values}
        maintain = ((*crud, Action.VIEW_SENSITIVE), Scope.ALL)
        see_costs = ((Action.VIEW, Action.EXPORT, Action.VIEW_SENSITIVE), Scope.ALL)
        register_resource(
            Resource(
                "catalog.product",
                pgettext_lazy("plural", "商品"),
                actions=(*crud, Action.VIEW_SENSITIVE),
                defaults={
                    **everyone,
                    Persona.SALES: ((Action.VIEW, Action.EXPORT), Scope.ALL),
                    Persona.SALES_MANAGER: see_costs,
                    Persona.PURCHASER: maintain,
                    Persona.FINANCE: see_costs,
                    Persona.MANAGEMENT: see_costs,
                    Persona.ADMIN: maintain,
                },
            )
        )
        for label, name in (
            ("catalog.productcategory", pgettext_lazy("plural", "商品分类")),
            ("catalog.brand", pgettext_lazy("plural", "品牌")),
            ("catalog.unit", pgettext_lazy("plural", "计量单位")),
        ):
            register_resource(
                Resource(
                    label,
                    name,
                    actions=crud,
                    defaults={**everyone, Persona.PURCHASER: (crud, Scope.ALL), Persona.ADMIN: (crud, Scope.ALL)},
                )
            )

        register_menu_group("catalog", _("商品管理"), 20)
        for order, (label, url_name, resource) in enumerate(
            (
                (pgettext_lazy("plural", "商品"), "catalog:product_list", "catalog.product"),
                (pgettext_lazy("plural", "商品分类"), "catalog:productcategory_list", "catalog.productcategory"),
                (pgettext_lazy("plural", "品牌"), "catalog:brand_list", "catalog.brand"),
                (pgettext_lazy("plural", "计量单位"), "catalog:unit_list", "catalog.unit"),
            )
        ):
            register_menu_item(MenuItem("catalog", label, url_name, resource, order=10 * (order + 1)))
        # 导入 beside 新建 on the product list, for those who may add products (the import page asks the same).
        from keshang.core.registry import ListAction, register_list_action

        register_list_action("catalog.product", ListAction("import", _("导入"), "catalog:product_import", order=10))

        from keshang.partners.merging import register_merge_step

        from . import features, merging

        features.register()
        register_merge_step("price_rules", merging.move_price_rules, label=_("客户专属价"))
