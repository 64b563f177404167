"""Template helpers shared by every app's pages."""

from django import template
from django.template.loader import render_to_string
from django.utils.http import urlencode

from keshang.core.masking import mask_value
from keshang.core.tables import display_value

register = template.Library()


@register.filter
def mask(value):
    return mask_value(value)


@register.filter
def display(value):
    return display_value(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def sort_query(query: str, current: str, key: str) -> str:
    """The query string for a column header: ascending first, then descending, keeping the filters."""
    new = f"-{key}" if current == key else key
    return f"?{query}&{urlencode({'sort': new})}" if query else f"?{urlencode({'sort': new})}"


@register.simple_tag
def page_query(query: str, sort: str, page: int) -> str:
    params = {"page": page}
    if sort:
        params["sort"] = sort
    return f"?{query}&{urlencode(params)}" if query else f"?{urlencode(params)}"


@register.simple_tag(takes_context=True)
def render_widget(context, widget, widget_context):
    """A home widget's template with its own context (plus the request), as registered in core.registry."""
    return render_to_string(widget.template, {**widget_context, "request": context.get("request")})
