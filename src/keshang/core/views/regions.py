"""Regions: the options of the cascading 省/市/区县 picker (:class:`~keshang.core.forms.RegionSelect`)."""

from __future__ import annotations

from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from ..forms import REGION_PLACEHOLDERS
from ..models import Region, RegionLevel
from ..regions import get_region, region_choices
from .generic import ScopedViewMixin

__all__ = ["RegionOptionsView"]


class RegionOptionsView(ScopedViewMixin, View):
    """``?parent=<code>``: the ``<option>``s of the regions under it (the provinces without it), for
    :class:`~keshang.core.forms.RegionSelect`. A parent that does not exist or has no children is a 404."""

    model = Region
    template_name = "core/region_options.html"
    child_level = {
        None: RegionLevel.PROVINCE,
        RegionLevel.PROVINCE: RegionLevel.CITY,
        RegionLevel.CITY: RegionLevel.DISTRICT,
    }

    def get(self, request):
        parent_code = request.GET.get("parent") or None
        parent = get_region(parent_code, regions=self.queryset) if parent_code else None
        if parent_code and (parent is None or parent.level not in self.child_level):
            raise Http404(_("未找到。"))
        level = self.child_level[parent.level if parent else None]
        context = {
            "regions": region_choices(parent_code, regions=self.queryset),
            "placeholder": REGION_PLACEHOLDERS[level],
            "selected": None,
        }
        return TemplateResponse(request, self.template_name, context)
