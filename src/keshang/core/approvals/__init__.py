"""The approval engine (DESIGN.md rule 6): flows per document type chosen by conditions, ordered steps,
会签/或签, delegation, an inbox, and the snapshot each decision was made on. See ``registry`` for what a
document type provides and ``engine`` for the services."""

from .registry import Approvable, ApprovalFacts, approvables, get_approvable, register_approvable

__all__ = ["Approvable", "ApprovalFacts", "register_approvable", "get_approvable", "approvables", "register"]


def register() -> None:
    """Resources and menu items of the engine; called from CoreConfig.ready()."""
