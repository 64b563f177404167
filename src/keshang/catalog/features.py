"""The catalog's registrations beyond resources and menu: detail tabs, images, importer, setup step and
demo loader. Called from CatalogConfig.ready()."""

from django.utils.translation import gettext_lazy


def register() -> None:
    from keshang.core import attachments
    from keshang.core.registry import DetailTab, register_demo_loader, register_detail_tab, register_setup_step

    from . import importing
    from .demo import ensure_default_units, load_catalog_demo
    from .models import Product

    for key, label, url_name, order in (
        ("units", gettext_lazy("单位换算"), "catalog:product_units", 10),
        ("prices", gettext_lazy("价格规则"), "catalog:product_prices", 20),
    ):
        register_detail_tab("catalog.product", DetailTab(key, label, url_name, order))
    # Product pictures are attachments; core checks each file by its content (images among the types it allows).
    attachments.register_attachable(Product, kinds=attachments.IMAGE_KINDS)
    register_detail_tab(
        "catalog.product",
        DetailTab("attachments", gettext_lazy("图片"), attachments.attachment_url_name(Product, "list"), 30),
    )
    importing.register()
    from keshang.core.search import SearchProvider, register_search_provider

    from .selectors import product_search_hits

    register_search_provider(
        SearchProvider(
            "products", gettext_lazy("商品"), "catalog.product", product_search_hits, "catalog:product_list", 30
        )
    )
    register_setup_step(ensure_default_units, order=30)
    register_demo_loader(load_catalog_demo, order=30)
