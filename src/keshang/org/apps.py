from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrgConfig(AppConfig):
    name = "keshang.org"
    label = "org"
    verbose_name = _("组织")

    def ready(self):
        from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource
        from keshang.core.registry import MenuItem, register_demo_loader, register_menu_item

        from .demo import load_org_demo

        register_demo_loader(load_org_demo, order=10)
        self._register_token_panel()
        self._register_companies()

        register_menu_item(
            MenuItem("settings", pgettext_lazy("plural", "部门"), "org:department_list", "org.department", order=10)
        )
        register_menu_item(MenuItem("settings", pgettext_lazy("plural", "用户"), "org:user_list", "org.user", order=20))
        register_menu_item(MenuItem("settings", _("角色与权限"), "org:role_list", "org.role", order=30))
        register_menu_item(
            MenuItem("settings", _("登录限制"), "org:loginthrottle_list", "axes.accessattempt", order=35)
        )

        crud = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)
        colleagues = {
            Persona.SALES: ((Action.VIEW,), Scope.DEPARTMENT),
            Persona.PURCHASER: ((Action.VIEW,), Scope.DEPARTMENT),
            Persona.WAREHOUSE: ((Action.VIEW,), Scope.DEPARTMENT),
            Persona.FINANCE: ((Action.VIEW,), Scope.DEPARTMENT),
            Persona.SALES_MANAGER: ((Action.VIEW, Action.EXPORT), Scope.DEPARTMENT_TREE),
            Persona.MANAGEMENT: ((Action.VIEW, Action.EXPORT), Scope.ALL),
        }
        register_resource(
            Resource(
                "org.department",
                pgettext_lazy("plural", "部门"),
                scoped=True,
                defaults={**colleagues, Persona.ADMIN: (crud, Scope.ALL)},
            )
        )
        register_resource(
            Resource(
                "org.user",
                pgettext_lazy("plural", "用户"),
                actions=(*crud, Action.VIEW_SENSITIVE),
                scoped=True,
                defaults={
                    **colleagues,
                    Persona.SALES_MANAGER: ((Action.VIEW, Action.EXPORT, Action.VIEW_SENSITIVE), Scope.DEPARTMENT_TREE),
                    Persona.ADMIN: ((*crud, Action.VIEW_SENSITIVE), Scope.ALL),
                },
            )
        )
        register_resource(
            Resource(
                "org.role",
                _("角色与权限"),
                actions=(Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE),
                defaults={Persona.ADMIN: ((Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE), Scope.ALL)},
            )
        )
        # Login throttles (issue 12, finding 9): the administrator unlocks a user (PERSONAS.md); "delete" is
        # the unlock. Not scoped: a throttle names an account and an address, not a record of anyone's.
        register_resource(
            Resource(
                "axes.accessattempt",
                _("登录限制"),
                actions=(Action.VIEW, Action.DELETE),
                defaults={Persona.ADMIN: ((Action.VIEW, Action.DELETE), Scope.ALL)},
            )
        )

    def _register_companies(self):
        """Our own companies: read by everyone who writes documents, kept by the administrators; their seal
        images are attachments (images only)."""
        from keshang.core import attachments
        from keshang.core.permissions import Action, Persona, Resource, Scope, register_resource
        from keshang.core.registry import (
            DetailTab,
            MenuItem,
            register_detail_tab,
            register_menu_item,
            register_setup_step,
        )

        from .models import Company
        from .services import ensure_default_company

        crud = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)
        register_resource(
            Resource(
                "org.company",
                pgettext_lazy("plural", "我方公司"),
                actions=(*crud, Action.VIEW_SENSITIVE),
                defaults={
                    **{persona: ((Action.VIEW,), Scope.ALL) for persona in Persona.values},
                    Persona.FINANCE: ((Action.VIEW, Action.EXPORT, Action.VIEW_SENSITIVE), Scope.ALL),
                    Persona.ADMIN: ((*crud, Action.VIEW_SENSITIVE), Scope.ALL),
                },
            )
        )
        register_menu_item(
            MenuItem("settings", pgettext_lazy("plural", "我方公司"), "org:company_list", "org.company", order=35)
        )
        attachments.register_attachable(Company, kinds=attachments.IMAGE_KINDS)
        register_detail_tab("org.company", DetailTab("bank_accounts", _("银行账户"), "org:company_bank_accounts", 10))
        register_detail_tab(
            "org.company",
            DetailTab("attachments", _("公章与附件"), attachments.attachment_url_name(Company, "list"), 20),
        )
        register_setup_step(ensure_default_company, order=20)

    def _register_token_panel(self):
        from django.urls import reverse

        from keshang.core.registry import DetailPanel, register_detail_panel

        from .selectors import list_api_tokens, token_rows

        def context(obj, user):
            if obj.pk == user.pk:
                return None  # one's own tokens are on one's own page (修改密码), revoked there
            tokens = list_api_tokens(viewer=user, user=obj)
            if tokens is None:
                return None
            url = lambda token: reverse("org:user_token_revoke", args=[obj.pk, token.pk])  # noqa: E731
            return {"tokens": token_rows(tokens, url)}

        register_detail_panel("org.user", DetailPanel("api_tokens", "org/api_tokens.html", context, order=50))
