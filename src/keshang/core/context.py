"""Who is acting, from where: set per request by the middleware, read by the audit helper.

Jobs and commands have no request; they pass ``actor=`` explicitly and leave these empty.
"""

from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["RequestContext", "current_request"]


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip_address: str | None
    user_agent: str


current_request: ContextVar[RequestContext | None] = ContextVar("keshang_request", default=None)
