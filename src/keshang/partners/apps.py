from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PartnersConfig(AppConfig):
    name = "keshang.partners"
    label = "partners"
    verbose_name = _("客商")

    def ready(self):
        from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource
        from keshang.core.registry import (
            DetailTab,
            MenuItem,
            register_demo_loader,
            register_detail_tab,
            register_menu_group,
            register_menu_item,
            register_setup_step,
        )

        from .demo import ensure_partner_classifications, load_partner_demo

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

        register_menu_group("partners", _("客商管理"), 10)
        register_menu_item(
            MenuItem("partners", pgettext_lazy("plural", "客商"), "partners:partner_list", "partners.partner", order=10)
        )
        register_menu_item(
            MenuItem(
                "partners", pgettext_lazy("plural", "联系人"), "partners:contact_list", "partners.partner", order=20
            )
        )
        for key, label, url_name, order in (
            ("contacts", pgettext_lazy("plural", "联系人"), "partners:partner_contacts", 10),
            ("addresses", pgettext_lazy("plural", "地址"), "partners:partner_addresses", 20),
            ("bank_accounts", pgettext_lazy("plural", "银行账户"), "partners:partner_bank_accounts", 30),
        ):
            register_detail_tab("partners.partner", DetailTab(key, label, url_name, order))
        register_setup_step(ensure_partner_classifications, order=20)

        from . import checks, importing, merging, ownership, suppliers  # noqa: F401 - checks registers itself

        for feature in (ownership, importing, merging, suppliers):
            feature.register()
        register_demo_loader(load_partner_demo, order=20)

        from keshang.core.approvals import register_condition_choices

        from .models import PartnerLevel

        # Approval flows may be limited to customer levels; the engine in core cannot know the levels itself.
        register_condition_choices(
            "customer_levels", lambda: list(PartnerLevel.objects.values_list("code", "name").order_by("order"))
        )
