"""Request plumbing: request id and client address for the audit trail, security headers, no caching of what a
signed-in user sees, and one log line per refused request."""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

from .context import RequestContext, current_request

__all__ = [
    "RequestContextMiddleware",
    "SecurityHeadersMiddleware",
    "ChineseByDefaultMiddleware",
    "RefusedRequestFilter",
    "SearchRateMiddleware",
    "search_rate_exceeded",
    "search_rate_message",
    "client_ip",
]

refused_logger = logging.getLogger("keshang.refused")

# Refusals: logged as one line by RequestContextMiddleware, never with django.request's traceback.
REFUSED_STATUSES = frozenset({401, 403, 404})
# A page's refusal has no body code; the API's has (core.api.errors).
PAGE_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}

# Scripts only from our own origin: every asset is served by the app (no CDN, no inline script).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Bootstrap and Swagger UI set style attributes from script; styles cannot run code.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For is trusted only when a proxy is declared."""
    if settings.KESHANG_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4().hex
        token = current_request.set(
            RequestContext(
                request_id=request.id,
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            )
        )
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = request.id
        if response.status_code in REFUSED_STATUSES:
            log_refusal(request, response)
        return response


def log_refusal(request, response) -> None:
    """One line: method, path, user, status and the API's error code (STYLE.md: a refusal is not an error)."""
    data = getattr(response, "data", None)
    code = data.get("code") if isinstance(data, dict) else None
    user = getattr(request, "user", None)
    username = user.get_username() if user is not None and user.is_authenticated else "-"
    refused_logger.warning(
        "Refused %s %s user=%s status=%s code=%s",
        request.method,
        repr(request.path)[1:-1],  # a path may hold a newline: one line, always
        username,
        response.status_code,
        code or PAGE_CODES[response.status_code],
    )


class RefusedRequestFilter(logging.Filter):
    """On the ``django.request`` logger: drops its record of a refused request (a 403 raised in a view comes with
    the whole traceback), which :class:`RequestContextMiddleware` logs as one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) not in REFUSED_STATUSES


API_PREFIX = "/api/"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith(API_PREFIX):
            # What a signed-in user sees, and every API answer, stays out of browser and proxy caches; the public
            # sign-in page and static files (served before this by WhiteNoise) may be kept.
            add_never_cache_headers(response)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # One URL serves a full page or an htmx fragment; caches must keep them apart (NB CoreMiddleware).
        patch_vary_headers(response, ("HX-Request",))
        return response


class ChineseByDefaultMiddleware:
    """Chinese unless the user chose English (the language cookie set by the switch).

    Runs before LocaleMiddleware and hides the browser's Accept-Language from it: many Chinese
    companies' PCs run English-language browsers, and the product's language is Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def search_rate_exceeded(request, user) -> bool:
    """Counts a search (a non-empty ``?q=``) of ``user`` and says whether it is over this minute's
    ``KESHANG_SEARCH_RATE``: a search box asked thousands of times reveals what one answer does not (issue 12,
    finding 3)."""
    limit = settings.KESHANG_SEARCH_RATE
    if not limit or not (request.GET.get("q") or "").strip() or not getattr(user, "is_authenticated", False):
        return False
    key = f"search-rate:{user.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit


def search_rate_message() -> str:
    return _("搜索过于频繁，请稍后再试。")


class SearchRateMiddleware:
    """Pages: a search over the rate gets a 429. The API counts in its views, once DRF has authenticated the
    client (tokens are not seen here)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and search_rate_exceeded(request, request.user):
            return HttpResponse(search_rate_message(), status=429, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
