from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CatalogConfig(AppConfig):
    """Catalog registers itself here and nowhere else: its resources and default grants, menus, the product page's
    tabs and images, the product importer, the global search's products, the merge step that keeps a duplicate
    customer's own prices, the default units every installation starts with and the demo catalog."""

    name = "keshang.catalog"
    label = "catalog"
    verbose_name = _("商品")

    def ready(self):
        self._register_resources()
        self._register_pages()
        self._register_feeds()
        from keshang.core.importing import register_importer
        from keshang.core.registry import register_demo_loader, register_setup_step
        from keshang.partners.registry import register_merge_step

        from . import demo, services

        register_importer(services.ProductImporter.kind, services.ProductImporter)
        register_merge_step("price_rules", services.move_price_rules, label=_("客户专属价"))
        register_setup_step(demo.ensure_default_units, order=30)
        register_demo_loader(demo.load_catalog_demo, order=30)

    def _register_resources(self):
        from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource

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

    def _register_pages(self):
        from keshang.core import attachments
        from keshang.core.permissions import Action
        from keshang.core.registry import (
            DetailTab,
            ListAction,
            MenuItem,
            register_detail_tab,
            register_list_action,
            register_menu_group,
            register_menu_item,
        )

        from .models import Product

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
        register_menu_item(
            MenuItem("catalog", _("导入商品"), "catalog:product_import", "catalog.product", Action.ADD, order=90)
        )
        for key, label, url_name, order in (
            ("units", _("单位换算"), "catalog:product_units", 10),
            ("prices", _("价格规则"), "catalog:product_prices", 20),
        ):
            register_detail_tab("catalog.product", DetailTab(key, label, url_name, order))
        # Product pictures are attachments; core checks each file by its content (images among the types it allows).
        attachments.register_attachable(Product, kinds=attachments.IMAGE_KINDS)
        register_detail_tab(
            "catalog.product",
            DetailTab("attachments", _("图片"), attachments.attachment_url_name(Product, "list"), 30),
        )
        # 导入 beside 新建 on the product list, for those who may add products (the import page asks the same).
        register_list_action("catalog.product", ListAction("import", _("导入"), "catalog:product_import", order=10))

    def _register_feeds(self):
        """What the catalog shows on shared pages: the global search."""
        from keshang.core.search import SearchProvider, register_search_provider

        from .selectors import product_search_hits

        register_search_provider(
            SearchProvider("products", _("商品"), "catalog.product", product_search_hits, "catalog:product_list", 30)
        )
