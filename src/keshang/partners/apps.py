from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PartnersConfig(AppConfig):
    """Partners registers itself here and nowhere else: its resources and default grants, menus, the tabs of a
    partner's page, its contact counter for handovers, the importer, attachments, what it shows on the shared pages
    (global search, a partner's and a contact's timeline, the home page's reminders), setup steps and demo data."""

    name = "keshang.partners"
    label = "partners"
    verbose_name = _("客商")

    def ready(self):
        from keshang.core.registry import register_demo_loader, register_setup_step

        from . import checks, services, tasks  # noqa: F401 - checks and tasks register themselves (checks, Huey)
        from .demo import ensure_partner_classifications, load_partner_demo

        self._register_resources()
        self._register_menu()
        self._register_tabs()
        self._register_handover_counters()
        self._register_importer()
        self._register_approval_conditions()
        self._register_feeds()
        register_setup_step(ensure_partner_classifications, order=20)
        register_setup_step(services.ensure_pool_rules, order=30)

        register_demo_loader(load_partner_demo, order=20)

    def _register_resources(self):
        from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource

        from .selectors.ownership import CUSTOMER_POOL
        from .selectors.partners import BANK_ACCOUNT, CREDIT

        every = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT, Action.ASSIGN)
        register_resource(
            Resource(
                "partners.partner",
                pgettext_lazy("plural", "客商"),
                actions=(*every, Action.VIEW_SENSITIVE),
                scoped=True,
                defaults={
                    Persona.SALES: (
                        (Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT, Action.VIEW_SENSITIVE),
                        Scope.OWN,
                    ),
                    Persona.SALES_MANAGER: ((*every, Action.VIEW_SENSITIVE), Scope.DEPARTMENT_TREE),
                    Persona.PURCHASER: (
                        (Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT, Action.VIEW_SENSITIVE),
                        Scope.OWN,
                    ),
                    Persona.WAREHOUSE: ((Action.VIEW,), Scope.ALL),
                    Persona.FINANCE: ((Action.VIEW, Action.EXPORT, Action.VIEW_SENSITIVE), Scope.ALL),
                    Persona.MANAGEMENT: ((Action.VIEW, Action.EXPORT, Action.VIEW_SENSITIVE), Scope.ALL),
                    Persona.ADMIN: ((*every, Action.VIEW_SENSITIVE), Scope.ALL),
                },
            )
        )
        lists = {persona: ((Action.VIEW,), Scope.ALL) for persona in Persona.values}
        crud = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)
        for label, name in (
            ("partners.industry", _("行业")),
            ("partners.partnerlevel", _("客户级别")),
            ("partners.tag", _("标签")),
        ):
            register_resource(Resource(label, name, actions=crud, defaults={**lists, Persona.ADMIN: (crud, Scope.ALL)}))
        # Claiming the pool's customers is sales' work (issue 12, finding 14): "add" on partners lets a purchaser
        # create and claim suppliers, not take customers from the sales pool. Not a model: a right on the pool.
        register_resource(
            Resource(
                CUSTOMER_POOL,
                _("公海客户领取"),
                actions=(Action.ADD,),
                defaults={
                    Persona.SALES: ((Action.ADD,), Scope.ALL),
                    Persona.SALES_MANAGER: ((Action.ADD,), Scope.ALL),
                    Persona.ADMIN: ((Action.ADD,), Scope.ALL),
                },
                on_records=False,
            )
        )
        # 信用额度与等级 (issue 12, finding 7): level, credit limit and payment terms are set by those who answer for
        # them (PERSONAS.md: managers approve on them, finance collects on them); reps read them. Not a model.
        register_resource(
            Resource(
                CREDIT,
                _("信用额度与等级"),
                actions=(Action.CHANGE,),
                defaults={
                    persona: ((Action.CHANGE,), Scope.ALL)
                    for persona in (Persona.SALES_MANAGER, Persona.FINANCE, Persona.MANAGEMENT, Persona.ADMIN)
                },
                on_records=False,
            )
        )
        # Partners' bank accounts (issue 12, finding 10): who maintains partners may enter one; a new default is held
        # until a second person with "approve" (确认; finance, who pays) confirms it.
        enter = (Action.ADD, Action.CHANGE)
        register_resource(
            Resource(
                BANK_ACCOUNT,
                _("客商银行账户"),
                actions=(*enter, Action.APPROVE),
                defaults={
                    Persona.SALES: (enter, Scope.ALL),
                    Persona.SALES_MANAGER: (enter, Scope.ALL),
                    Persona.PURCHASER: (enter, Scope.ALL),
                    Persona.FINANCE: ((*enter, Action.APPROVE), Scope.ALL),
                    Persona.ADMIN: ((*enter, Action.APPROVE), Scope.ALL),
                },
                on_records=False,
            )
        )
        register_resource(
            Resource(
                "partners.poolrules",
                _("公海规则"),
                actions=(Action.VIEW, Action.CHANGE),
                defaults={
                    Persona.ADMIN: ((Action.VIEW, Action.CHANGE), Scope.ALL),
                    Persona.SALES_MANAGER: ((Action.VIEW,), Scope.ALL),
                    Persona.MANAGEMENT: ((Action.VIEW,), Scope.ALL),
                },
            )
        )

    def _register_menu(self):
        from keshang.core.permissions import Action
        from keshang.core.registry import (
            BulkAction,
            ListAction,
            MenuItem,
            register_bulk_action,
            register_list_action,
            register_menu_group,
            register_menu_item,
        )

        partner = "partners.partner"
        register_menu_group("partners", _("客商管理"), 10)
        for label, url_name, resource, action, order in (
            (pgettext_lazy("plural", "客商"), "partners:partner_list", partner, Action.VIEW, 10),
            (pgettext_lazy("plural", "联系人"), "partners:contact_list", partner, Action.VIEW, 20),
            # Claimants ("add") take from the pool; those who only read partners (管理层) see it read-only.
            (_("公海"), "partners:pool_list", partner, Action.VIEW, 30),
            (_("客户交接"), "partners:handover_list", partner, Action.ASSIGN, 40),
            (_("批量转移"), "partners:partner_batch_transfer", partner, Action.ASSIGN, 45),
            (_("公海规则"), "partners:poolrules_detail", "partners.poolrules", Action.VIEW, 50),
            (_("查重与合并"), "partners:partner_duplicates", partner, Action.ASSIGN, 60),
            (_("导入客商"), "partners:partner_import", partner, Action.ADD, 90),
        ):
            register_menu_item(MenuItem("partners", label, url_name, resource, action, order))
        # Everyone may read the lists (forms and filters need them); the menu shows them to those who maintain them.
        for label, url_name, resource, order in (
            (_("客户级别"), "partners:partnerlevel_list", "partners.partnerlevel", 60),
            (_("行业"), "partners:industry_list", "partners.industry", 61),
            (_("标签"), "partners:tag_list", "partners.tag", 62),
        ):
            register_menu_item(MenuItem("settings", label, url_name, resource, action=Action.CHANGE, order=order))
        # On the partner list: 导入 beside 新建, and 批量转移 of the ticked partners (its page lists them, within the
        # actor's "assign" scope, and asks to whom before handing anything over).
        register_list_action(partner, ListAction("import", _("导入"), "partners:partner_import", order=10))
        register_bulk_action(
            partner, BulkAction("transfer", _("批量转移"), "partners:partner_batch_transfer", Action.ASSIGN)
        )

    def _register_tabs(self):
        from keshang.core import attachments
        from keshang.core.registry import DetailTab, register_detail_tab

        from .models import Partner

        attachments.register_attachable(Partner)
        for key, label, url_name, order in (
            ("contacts", pgettext_lazy("plural", "联系人"), "partners:partner_contacts", 10),
            ("addresses", pgettext_lazy("plural", "地址"), "partners:partner_addresses", 20),
            ("bank_accounts", pgettext_lazy("plural", "银行账户"), "partners:partner_bank_accounts", 30),
            ("attachments", _("附件"), attachments.attachment_url_name(Partner, "list"), 40),
            ("supplier", _("供应商档案"), "partners:partner_supplier", 50),
            ("collaborators", _("协作人"), "partners:partner_collaborators", 80),
            ("handovers", _("交接记录"), "partners:partner_handovers", 90),
        ):
            register_detail_tab("partners.partner", DetailTab(key, label, url_name, order))

    def _register_feeds(self):
        """What partners shows on shared pages: the global search, a partner's timeline, the home page's reminders."""
        from keshang.core.deadlines import DeadlineSource, register_deadline_source
        from keshang.core.search import SearchProvider, register_search_provider
        from keshang.core.timeline import TimelineSource, register_timeline_source

        from .selectors import feeds

        partner = "partners.partner"
        for key, events in (
            ("handovers", feeds.partner_handover_events),
            ("access_requests", feeds.partner_access_request_events),
            ("merges", feeds.partner_merge_events),
        ):
            register_timeline_source(partner, TimelineSource(key, events, partner))
        # A contact's 动态: its own changes (sales adds the documents addressed to it).
        register_timeline_source("partners.contact", TimelineSource("changes", feeds.contact_change_events, partner))
        for key, label, search, url, order in (
            ("partners", pgettext_lazy("plural", "客商"), feeds.search_partner_hits, "partners:partner_list", 10),
            ("contacts", pgettext_lazy("plural", "联系人"), feeds.search_contact_hits, "partners:contact_list", 20),
        ):
            register_search_provider(SearchProvider(key, label, partner, search, url, order))
        register_deadline_source(DeadlineSource("qualifications", partner, feeds.expiring_qualifications))
        register_deadline_source(DeadlineSource("pool_recycling", partner, feeds.customers_due_for_recycling))

    def _register_handover_counters(self):
        from .registry import register_handover_counter

        register_handover_counter("contacts", lambda partner: partner.contacts.count(), label=_("联系人"))

    def _register_importer(self):
        from keshang.core.importing import register_importer

        from .services import PartnerImporter

        register_importer(PartnerImporter.kind, PartnerImporter)

    def _register_approval_conditions(self):
        from keshang.core.approvals import register_condition_choices

        from .models import PartnerLevel

        # Approval flows may be limited to customer levels; the engine in core cannot know the levels itself.
        register_condition_choices(
            "customer_levels", lambda: list(PartnerLevel.objects.values_list("code", "name").order_by("order"))
        )
