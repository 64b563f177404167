"""One timeline per record (a customer, a contact, an opportunity): what happened to it, gathered from every app
that knows something about it, newest first. An app adds its events through :func:`register_timeline_source`
(partners its handovers, sales its opportunities and documents, activities its follow-ups when it lands), never
by the record's own app importing it. Each source reads through the user's data scope, so the timeline shows
only what the reader may see. The 动态 tab appears on a record's page once any source is registered for it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .permissions import Action
from .registry import DetailTab, register_detail_tab
from .scope import has_action

__all__ = [
    "TimelineEvent",
    "TimelineSource",
    "register_timeline_source",
    "timeline_for",
    "timeline_models",
    "timeline_url_name",
    "TIMELINE_LIMIT",
]

TIMELINE_LIMIT = 200


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime.datetime
    kind: str  # a short label shown as a badge: 交接, 商机, 报价单 …
    title: str
    url: str = ""
    actor: str = ""
    detail: str = ""


@dataclass(frozen=True)
class TimelineSource:
    """``events(record, user=, limit=)`` gives this source's events about ``record`` that ``user`` may see;
    ``resource`` (when given) is what the reader needs "view" on for the source to be asked at all."""

    key: str
    events: Callable
    resource: str | None = None


_sources: dict[str, list[TimelineSource]] = {}


def register_timeline_source(model_label: str, source: TimelineSource) -> None:
    """Add ``source`` to the timeline of ``model_label``'s records (call from ``AppConfig.ready()``)."""
    if model_label not in _sources:
        register_detail_tab(model_label, DetailTab("timeline", _("动态"), timeline_url_name(model_label), order=5))
    _sources.setdefault(model_label, []).append(source)


def timeline_url_name(model_label: str) -> str:
    return f"web:{model_label.replace('.', '_')}_timeline"


def timeline_models() -> list[str]:
    return list(_sources)


def timeline_for(record, *, user, limit: int = TIMELINE_LIMIT) -> list[TimelineEvent]:
    """Every source's events about ``record``, newest first, at most ``limit``."""
    events = []
    for source in _sources.get(record._meta.label_lower, []):
        if source.resource is None or has_action(user, source.resource, Action.VIEW):
            events.extend(source.events(record, user=user, limit=limit))
    events.sort(key=lambda event: event.at, reverse=True)
    return events[:limit]
