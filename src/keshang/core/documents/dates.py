"""The open period of a dated document (issue 12, finding 13): a user types a document's date within it, so
nobody books sales into a month already reported. Shared by every document type: sales now, contracts and
purchases later, each naming the grant that opens earlier dates.

* From the first day of the current month (``KESHANG_OPEN_PERIOD_DAYS`` None, the default), or from that many
  days back; earlier only with the document type's back-dating grant.
* Not more than ``KESHANG_DOCUMENT_MAX_FUTURE_DAYS`` (366 by default) ahead, whatever the grants: a date a
  year out is a typo, and numbering and reports must not carry it.
* The system (``actor`` None: demo data, the benchmark, imports of past business through their own keyword) is
  not held to it; a user's request cannot reach that path.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core.exceptions import ApplicationError
from keshang.core.permissions import Action
from keshang.core.scope import has_action

__all__ = ["open_period_start", "check_document_date"]


def open_period_start(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    days = getattr(settings, "KESHANG_OPEN_PERIOD_DAYS", None)
    if days is None:
        return today.replace(day=1)
    return today - datetime.timedelta(days=int(days))


def check_document_date(*, on: datetime.date | None, actor, field: str, backdate_resource: str) -> None:
    """Refuse ``on`` (the document's ``field``) outside the open period for ``actor``."""
    if on is None or actor is None or not getattr(actor, "is_authenticated", False):
        return
    today = timezone.localdate()
    start = open_period_start(today)
    if on < start and not has_action(actor, backdate_resource, Action.ADD):
        message = _("日期 %(date)s 早于开放期间（%(start)s 起），不能补录；如需补录请联系销售经理。") % {
            "date": on.isoformat(),
            "start": start.isoformat(),
        }
        raise ApplicationError(message, code="date_outside_open_period", fields={field: [message]})
    limit = today + datetime.timedelta(days=int(getattr(settings, "KESHANG_DOCUMENT_MAX_FUTURE_DAYS", 366)))
    if on > limit:
        message = _("日期 %(date)s 超出允许范围（最晚 %(limit)s）。") % {
            "date": on.isoformat(),
            "limit": limit.isoformat(),
        }
        raise ApplicationError(message, code="date_too_far_ahead", fields={field: [message]})
