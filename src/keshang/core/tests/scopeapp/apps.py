from django.apps import AppConfig


class ScopeAppConfig(AppConfig):
    """A minimal owned model, installed only under tests, that exercises OwnedModel end to end
    (owner, department, collaborators, sensitive fields) before the business apps exist."""

    name = "keshang.core.tests.scopeapp"
    label = "scopeapp"

    def ready(self):
        from keshang.core.permissions import Action, Resource, register_resource

        register_resource(
            Resource(
                "scopeapp.memo",
                "备忘",
                actions=(
                    Action.VIEW,
                    Action.ADD,
                    Action.CHANGE,
                    Action.DELETE,
                    Action.EXPORT,
                    Action.VIEW_SENSITIVE,
                    # Memos stand in for documents in the approval tests: delegates must hold "approve".
                    Action.APPROVE,
                ),
                scoped=True,
            )
        )
