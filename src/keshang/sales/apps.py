from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SalesConfig(AppConfig):
    """Sales registers itself here and nowhere else: its resources and default grants, menus, the tabs it adds
    to a customer's page, the detail actions of its documents, the approval engine's consumers, the merge step
    that moves a duplicate customer's sales records, setup steps and demo data."""

    name = "keshang.sales"
    label = "sales"
    verbose_name = _("销售")

    def ready(self):
        self._register_resources()
        self._register_pages()
        self._register_approvables()
        from keshang.core.registry import register_demo_loader, register_setup_step
        from keshang.partners.registry import register_merge_step

        from . import demo, services
        from .services import merging, setup

        register_setup_step(services.ensure_default_stages, order=40)
        register_setup_step(setup.ensure_default_flows, order=50)
        register_demo_loader(demo.load_opportunity_demo, order=40)
        register_demo_loader(demo.load_document_demo, order=50)
        register_merge_step("sales", merging.move_sales_records, label=_("商机、报价单和销售订单"))
        self._register_feeds()

    def _register_resources(self):
        from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource

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
        # Dating a quotation or an order before the open period (core.documents.dates): those who answer for the
        # team's figures (sales managers) and administrators; reps book into the current period only.
        backdate = ((Action.ADD,), Scope.ALL)
        register_resource(
            Resource(
                "sales.backdate",
                _("补录往期销售单据"),
                actions=(Action.ADD,),
                defaults={Persona.SALES_MANAGER: backdate, Persona.ADMIN: backdate},
                on_records=False,
            )
        )
        register_resource(
            Resource(
                "sales.opportunitystage",
                pgettext_lazy("plural", "商机阶段"),
                actions=crud,
                defaults={**everyone, Persona.ADMIN: (crud, Scope.ALL)},
            )
        )

    def _register_pages(self):
        from keshang.core.permissions import Action
        from keshang.core.registry import (
            DetailTab,
            MenuItem,
            register_detail_action,
            register_detail_tab,
            register_menu_group,
            register_menu_item,
        )

        from .views.documents import EMAIL_ACTION

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
        # Everyone reads stages (the board needs them); only those who may change them see the settings page.
        register_menu_item(
            MenuItem(
                "settings", _("商机阶段"), "sales:opportunitystage_list", "sales.opportunitystage", Action.CHANGE, 60
            )
        )
        for model, tab in (
            ("sales.opportunity", DetailTab("competitors", _("竞争对手"), "sales:opportunity_competitors", 10)),
            ("sales.opportunity", DetailTab("stage_changes", _("阶段历史"), "sales:opportunity_stage_changes", 20)),
            (
                "partners.partner",
                DetailTab("opportunities", _("商机"), "sales:partner_opportunities", 40, "sales.opportunity"),
            ),
            (
                "partners.partner",
                DetailTab(
                    "quotations", pgettext_lazy("plural", "报价单"), "sales:partner_quotations", 50, "sales.quotation"
                ),
            ),
            (
                "partners.partner",
                DetailTab(
                    "orders", pgettext_lazy("plural", "销售订单"), "sales:partner_orders", 60, "sales.salesorder"
                ),
            ),
        ):
            register_detail_tab(model, tab)
        register_detail_action("sales.quotation", EMAIL_ACTION)

    def _register_feeds(self):
        """What sales shows on shared pages: timelines, the global search, the home page's reminders."""
        from keshang.core.deadlines import DeadlineSource, register_deadline_source
        from keshang.core.search import SearchProvider, register_search_provider
        from keshang.core.timeline import TimelineSource, register_timeline_source

        from .selectors import feeds

        register_timeline_source(
            "partners.partner", TimelineSource("quotations", feeds.partner_quotation_events, "sales.quotation")
        )
        register_timeline_source(
            "partners.partner", TimelineSource("orders", feeds.partner_order_events, "sales.salesorder")
        )
        register_timeline_source(
            "partners.partner", TimelineSource("opportunities", feeds.partner_opportunity_events, "sales.opportunity")
        )
        # A contact's 动态: the quotations and orders addressed to them (the document's 联系人).
        register_timeline_source(
            "partners.contact", TimelineSource("quotations", feeds.contact_quotation_events, "sales.quotation")
        )
        register_timeline_source(
            "partners.contact", TimelineSource("orders", feeds.contact_order_events, "sales.salesorder")
        )
        register_timeline_source(
            "sales.opportunity", TimelineSource("opportunity", feeds.opportunity_events, "sales.opportunity")
        )
        for key, label, resource, search, url, order in (
            ("opportunities", _("商机"), "sales.opportunity", feeds.search_opportunities, "sales:opportunity_list", 40),
            ("quotations", _("报价单"), "sales.quotation", feeds.search_quotations, "sales:quotation_list", 50),
            ("orders", _("销售订单"), "sales.salesorder", feeds.search_orders, "sales:salesorder_list", 60),
        ):
            register_search_provider(SearchProvider(key, label, resource, search, url, order))
        register_deadline_source(DeadlineSource("quotations", "sales.quotation", feeds.expiring_quotations))

    def _register_approvables(self):
        from django.urls import reverse

        from keshang.core.approvals import Approvable, register_approvable

        from .services import documents, orders, quotations

        consumers = (
            ("sales.quotation", _("报价单"), "sales:quotation_detail", quotations.quotation_approved),
            ("sales.salesorder", _("销售订单"), "sales:salesorder_detail", orders.order_approved),
        )
        workflows = {"sales.quotation": quotations.QUOTATION_WORKFLOW, "sales.salesorder": orders.ORDER_WORKFLOW}
        for label, name, url_name, approved in consumers:
            register_approvable(
                Approvable(
                    model_label=label,
                    verbose_name=name,
                    facts=documents.document_facts,
                    snapshot=documents.document_snapshot,
                    url=lambda document, url_name=url_name: reverse(url_name, args=[document.pk]),
                    on_approved=approved,
                    on_rejected=workflows[label].sent_back(_("审批驳回")),
                    on_returned=workflows[label].sent_back(_("退回修改")),
                )
            )
