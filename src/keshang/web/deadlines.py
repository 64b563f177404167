"""The home page's 到期提醒 widget: what comes due in the reader's records (``core.deadlines``), soonest first."""

from django.utils import timezone

from keshang.core.deadlines import deadlines_for

__all__ = ["deadlines_widget"]


def deadlines_widget(request):
    today = timezone.localdate()
    items = deadlines_for(user=request.user, today=today)
    return {"deadlines": [(item, item.days_left(today)) for item in items]}
