"""One search box for everything (the header's 全局搜索): each app registers a provider for what it owns —
partners their customers, suppliers and contacts, the catalog its products, sales its documents and
opportunities — and the search page asks every provider the reader may use. A provider reads through the
reader's data scope, as every read does; the search page never imports the apps it searches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .permissions import Action
from .scope import has_action

__all__ = ["SearchHit", "SearchProvider", "register_search_provider", "search_everything", "SEARCH_LIMIT"]

SEARCH_LIMIT = 8


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchProvider:
    """``search(query, user=, limit=)`` gives at most ``limit`` hits of ``user``'s scope; ``resource`` is what the
    reader needs "view" on for the provider to be asked; ``url`` (a URL name) lists all matches, with ``?q=``."""

    key: str
    label: str
    resource: str
    search: Callable
    url: str = ""
    order: int = 100


_providers: list[SearchProvider] = []


def register_search_provider(provider: SearchProvider) -> None:
    if any(existing.key == provider.key for existing in _providers):
        raise ValueError(f"search provider {provider.key!r} registered twice")
    _providers.append(provider)


def search_everything(query: str, *, user, limit: int = SEARCH_LIMIT) -> list[tuple[SearchProvider, list[SearchHit]]]:
    """Each provider's hits for ``query`` (providers the user may not use are not asked), in provider order;
    providers without a hit are left out. A query under two characters asks nobody."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    results = []
    for provider in sorted(_providers, key=lambda item: item.order):
        if not has_action(user, provider.resource, Action.VIEW):
            continue
        hits = provider.search(query, user=user, limit=limit)
        if hits:
            results.append((provider, hits))
    return results
