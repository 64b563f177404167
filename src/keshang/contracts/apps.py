from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ContractsConfig(AppConfig):
    """Contracts register themselves here and nowhere else: the resources and default grants, the menu, the tabs
    and panels they add to partners, quotations and orders, the approval engine's consumer."""

    name = "keshang.contracts"
    label = "contracts"
    verbose_name = _("合同")

    def ready(self):
        self._register_resources()
        self._register_pages()
        self._register_approvable()
        from . import tasks  # noqa: F401  (the daily expiry job registers itself with Huey)

        self._register_deadlines()

    def _register_deadlines(self):
        from keshang.core.deadlines import DeadlineSource, register_deadline_source

        from .calendar import contract_deadlines

        # The home page's 到期提醒: contracts ending and payment stages falling due (issue 13).
        register_deadline_source(DeadlineSource("contracts", "contracts.contract", contract_deadlines))

    def _register_resources(self):
        from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource

        crud = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)
        documents = (*crud, Action.APPROVE, Action.ASSIGN, Action.VIEW_SENSITIVE)
        register_resource(
            Resource(
                "contracts.contract",
                pgettext_lazy("plural", "合同"),
                actions=documents,
                scoped=True,
                defaults={
                    # Reps and purchasers make the contracts of their own customers and suppliers; the margin (from
                    # cost prices) is for managers, finance and management, as cost prices are.
                    Persona.SALES: (crud, Scope.OWN),
                    Persona.PURCHASER: (crud, Scope.OWN),
                    Persona.SALES_MANAGER: (documents, Scope.DEPARTMENT_TREE),
                    Persona.FINANCE: ((Action.VIEW, Action.EXPORT, Action.VIEW_SENSITIVE), Scope.ALL),
                    Persona.MANAGEMENT: ((Action.VIEW, Action.EXPORT, Action.VIEW_SENSITIVE), Scope.ALL),
                    Persona.ADMIN: (documents, Scope.ALL),
                },
            )
        )
        everyone = {persona: ((Action.VIEW,), Scope.ALL) for persona in Persona.values}
        register_resource(
            Resource(
                "contracts.contractcategory",
                pgettext_lazy("plural", "合同分类"),
                actions=crud,
                defaults={**everyone, Persona.ADMIN: (crud, Scope.ALL)},
            )
        )
        backdate = ((Action.ADD,), Scope.ALL)
        register_resource(
            Resource(
                "contracts.backdate",
                _("补录往期合同"),
                actions=(Action.ADD,),
                defaults={Persona.SALES_MANAGER: backdate, Persona.ADMIN: backdate},
                on_records=False,
            )
        )

    def _register_pages(self):
        from keshang.core.permissions import Action
        from keshang.core.registry import (
            DetailAction,
            DetailPanel,
            DetailTab,
            MenuItem,
            register_detail_action,
            register_detail_panel,
            register_detail_tab,
            register_menu_group,
            register_menu_item,
        )
        from keshang.sales.models import QuotationStatus, SalesOrderStatus

        from . import panels

        register_menu_group("contracts", _("合同管理"), 17)
        register_menu_item(
            MenuItem(
                "contracts", pgettext_lazy("plural", "合同"), "contracts:contract_list", "contracts.contract", order=10
            )
        )
        register_menu_item(
            MenuItem("contracts", _("到期日历"), "contracts:contract_calendar", "contracts.contract", order=20)
        )
        register_menu_item(
            MenuItem(
                "settings",
                _("合同分类"),
                "contracts:contractcategory_list",
                "contracts.contractcategory",
                Action.CHANGE,
                65,
            )
        )
        register_detail_tab(
            "partners.partner",
            DetailTab(
                "contracts", pgettext_lazy("plural", "合同"), "contracts:partner_contracts", 65, "contracts.contract"
            ),
        )
        contract = "contracts.contract"
        for key, template, context, order in (
            ("stages", "contracts/panel_stages.html", panels.stages_panel, 10),
            ("orders", "contracts/panel_orders.html", panels.orders_panel, 20),
            ("execution", "contracts/panel_execution.html", panels.execution_panel, 30),
            ("revisions", "contracts/panel_revisions.html", panels.revisions_panel, 5),
        ):
            register_detail_panel(contract, DetailPanel(key, template, context, order))
        register_detail_panel(
            "sales.salesorder",
            DetailPanel("contract", "contracts/panel_order_contract.html", panels.order_contract_panel, 5),
        )
        # 生成合同 on a quotation the customer may sign (approved, sent, accepted) and on a live order.
        for model, url_name, states in (
            (
                "sales.quotation",
                "contracts:contract_from_quotation",
                (QuotationStatus.APPROVED, QuotationStatus.SENT, QuotationStatus.ACCEPTED),
            ),
            (
                "sales.salesorder",
                "contracts:contract_from_order",
                tuple(state for state in SalesOrderStatus.values if state != SalesOrderStatus.CANCELLED),
            ),
        ):
            register_detail_action(
                model,
                DetailAction("to_contract", _("生成合同"), url_name, states=states, resource=contract, order=40),
            )

    def _register_approvable(self):
        from django.urls import reverse

        from keshang.core.approvals import Approvable, register_approvable, register_condition_choices
        from keshang.core.registry import register_setup_step

        from .models import ContractKind
        from .services import CONTRACT_WORKFLOW, contract_approved
        from .services.approvals import contract_facts, contract_snapshot
        from .services.setup import ensure_default_contract_flows

        register_approvable(
            Approvable(
                model_label="contracts.contract",
                verbose_name=_("合同"),
                facts=contract_facts,
                snapshot=contract_snapshot,
                url=lambda contract: reverse("contracts:contract_detail", args=[contract.pk]),
                on_approved=contract_approved,
                on_rejected=CONTRACT_WORKFLOW.sent_back(_("审批驳回")),
                on_returned=CONTRACT_WORKFLOW.sent_back(_("退回修改")),
                revises=lambda contract: contract.revised_from,
            )
        )
        # A flow's 单据种类 condition offers the contract kinds (issue 13).
        register_condition_choices("kinds", lambda: list(ContractKind.choices))
        register_setup_step(ensure_default_contract_flows, order=55)
