"""Form plumbing shared by every app: choices narrowed to the user's data scope (STYLE.md §3), and the
region picker every address uses."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Currency, ExchangeRate, Region, RegionLevel
from .permissions import Action
from .regions import region_choices
from .scope import ScopedQuerySet

__all__ = [
    "ScopedFormMixin",
    "restrict_choices",
    "CurrencyForm",
    "ExchangeRateForm",
    "REGION_PLACEHOLDERS",
    "RegionSelect",
    "RegionField",
]


def restrict_choices(form: forms.BaseForm, user) -> None:
    """Narrow every model choice field over a scoped model to what ``user`` may view."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if isinstance(queryset, ScopedQuerySet):
            field.queryset = queryset.visible_to(user, Action.VIEW)


class ScopedFormMixin:
    """Takes ``user=`` and restricts choices; forms only validate, services write (STYLE.md §2)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        restrict_choices(self, user)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")


class CurrencyForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Currency
        fields = ["code", "name", "symbol", "is_active"]


class ExchangeRateForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "date", "rate"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


#
# Regions: three cascading selects (省 / 市 / 区县)
#

REGION_PLACEHOLDERS = {
    RegionLevel.PROVINCE: _("请选择省份"),
    RegionLevel.CITY: _("请选择城市"),
    RegionLevel.DISTRICT: _("请选择区县"),
}


class RegionSelect(forms.Select):
    """Three ``<select>``s, 省 / 市 / 区县, all named after the field. The browser posts the ids chosen
    at each level in order; the deepest one chosen is the value.

    Choosing a province or city asks ``core:region_options`` for its children (``hx-get``); ``web/app.js``
    turns that request into ``?parent=<code>`` and empties the levels below until the options arrive.
    The options are read from the field's queryset, so a form's scope narrowing applies to them.
    """

    template_name = "core/region_select.html"
    # The first select carries the field's id (its <label for>); the others add a suffix.
    levels = ((RegionLevel.PROVINCE, ""), (RegionLevel.CITY, "_city"), (RegionLevel.DISTRICT, "_district"))

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if not isinstance(values, list | tuple):
            values = [values]
        chosen = [value for value in values if value not in (None, "")]
        return chosen[-1] if chosen else None

    def offered_regions(self):
        """The regions offered: the choices of the RegionField this widget belongs to."""
        queryset = getattr(self.choices, "queryset", None)
        return queryset if queryset is not None else Region.objects.none()

    def chosen_path(self, value, regions) -> list[Region]:
        """The current region and its parents, province first; empty when nothing valid is chosen."""
        if isinstance(value, Region):
            value = value.pk
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return []
        region = regions.select_related("parent__parent").filter(pk=pk).first()
        path = []
        while region is not None:
            path.insert(0, region)
            region = region.parent
        return path

    def get_context(self, name, value, attrs):
        # Widget's context, not Select's: Select would list every region as an option.
        context = forms.Widget.get_context(self, name, value, attrs)
        base = context["widget"]["attrs"]
        regions = self.offered_regions()
        path = self.chosen_path(value, regions)
        options_url = reverse("core:region_options")
        levels = []
        for index, (level, suffix) in enumerate(self.levels):
            level_attrs = {key: val for key, val in base.items() if key not in ("id", "required")}
            if base.get("id"):
                level_attrs["id"] = base["id"] + suffix
            if index == 0 and base.get("required"):
                level_attrs["required"] = True
            if index > 0:
                level_attrs["aria-label"] = RegionLevel(level).label
            level_attrs["data-region-level"] = level
            if index < len(self.levels) - 1:
                level_attrs.update(
                    {
                        "hx-get": options_url,
                        "hx-trigger": "change",
                        "hx-target": "next select",
                        "hx-swap": "innerHTML",
                        # The newest choice wins: a late answer for an earlier one is dropped.
                        "hx-sync": "closest .ks-region-picker:replace",
                        # A picker inside a list's filter form must not inherit its URL pushing.
                        "hx-push-url": "false",
                    }
                )
            if index == 0:
                options = region_choices(regions=regions)
            elif len(path) >= index:
                options = region_choices(path[index - 1].code, regions=regions)
            else:
                options = []
            levels.append(
                {
                    "attrs": level_attrs,
                    "regions": options,
                    "placeholder": REGION_PLACEHOLDERS[level],
                    "selected": path[index].pk if len(path) > index else None,
                }
            )
        context["widget"]["levels"] = levels
        return context


class RegionField(forms.ModelChoiceField):
    """A region, picked province → city → county; any level is accepted, normally it is a county.

    Use it for a foreign key to :class:`~keshang.core.models.Region` with ``Meta.field_classes =
    {"region": RegionField}`` or declare it on the form.
    """

    widget = RegionSelect

    def __init__(self, queryset=None, **kwargs):
        super().__init__(Region.objects.all() if queryset is None else queryset, **kwargs)
