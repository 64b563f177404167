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
        self._register_templates()
        from keshang.core.registry import register_demo_loader

        from . import demo, tasks  # noqa: F401  (the daily expiry job registers itself with Huey)

        register_demo_loader(demo.load_contract_demo, order=60)

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

        # Signing certificates (系统设置 → 签章证书): administrators only; never scoped (they are the companies').
        certificate_actions = (Action.VIEW, Action.ADD, Action.CHANGE)
        register_resource(
            Resource(
                "contracts.companycertificate",
                pgettext_lazy("plural", "签章证书"),
                actions=certificate_actions,
                defaults={Persona.ADMIN: (certificate_actions, Scope.ALL)},
            )
        )
        # The archive (归档): which contracts one sees is the contract's scope; changing the paper copy's place
        # and lending it is for finance, management and administrators.
        archive_actions = (Action.VIEW, Action.CHANGE)
        register_resource(
            Resource(
                "contracts.archive",
                _("合同归档"),
                actions=archive_actions,
                defaults={
                    Persona.SALES: ((Action.VIEW,), Scope.ALL),
                    Persona.PURCHASER: ((Action.VIEW,), Scope.ALL),
                    Persona.SALES_MANAGER: ((Action.VIEW,), Scope.ALL),
                    Persona.FINANCE: (archive_actions, Scope.ALL),
                    Persona.MANAGEMENT: (archive_actions, Scope.ALL),
                    Persona.ADMIN: (archive_actions, Scope.ALL),
                },
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
        register_menu_item(
            MenuItem("contracts", _("合同归档"), "contracts:contractarchive_list", "contracts.archive", order=30)
        )
        register_menu_item(
            MenuItem("contracts", _("验证签名"), "contracts:contract_verify", "contracts.contract", order=40)
        )
        register_menu_item(
            MenuItem(
                "settings",
                _("签章证书"),
                "contracts:companycertificate_list",
                "contracts.companycertificate",
                Action.VIEW,
                66,
            )  # fmt: skip
        )
        register_detail_action(
            "contracts.contract",
            DetailAction(
                "sign_link",
                _("生成签署链接"),
                "contracts:contract_sign_link",
                action=Action.CHANGE,
                states=("signing",),
                order=15,
                style="btn-primary",
            ),
        )
        register_detail_tab(
            "contracts.contract",
            DetailTab("signing", _("签署与文件"), "contracts:contract_documents", 40, "contracts.contract"),
        )
        # Attachments: the scanned paper original, the customer's stamped copy, correspondence.
        from keshang.core import attachments

        from .models import Contract

        attachments.register_attachable(Contract)
        register_detail_tab(
            "contracts.contract",
            DetailTab("attachments", _("附件"), attachments.attachment_url_name(Contract, "list"), 50),
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

    def _register_templates(self):
        """Contract templates (issue 13): everyone reads them, administrators and sales managers keep them; the
        defaults come with `keshang setup`; a contract whose template has a Word file offers 下载 Word."""
        from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource
        from keshang.core.registry import MenuItem, register_detail_action, register_menu_item, register_setup_step

        from .services import ensure_default_templates
        from .templatepages import WordAction

        keep = ((Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT), Scope.ALL)
        register_resource(
            Resource(
                "contracts.contracttemplate",
                pgettext_lazy("plural", "合同模板"),
                actions=keep[0],
                defaults={
                    **{persona: ((Action.VIEW,), Scope.ALL) for persona in Persona.values},
                    Persona.ADMIN: keep,
                    Persona.SALES_MANAGER: keep,
                },
            )
        )
        register_menu_item(
            MenuItem(
                "contracts", _("合同模板"), "contracts:contracttemplate_list", "contracts.contracttemplate", order=35
            )  # fmt: skip
        )
        register_setup_step(ensure_default_templates, order=60)
        register_detail_action(
            "contracts.contract", WordAction("word", _("下载 Word"), "contracts:contract_word", order=60)
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
