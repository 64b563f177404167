"""The classification lists (客户级别, 行业, 标签): read by everyone, maintained by administrators. Each is declared
once (``core.modelviews``): list, add, detail, edit, delete and history pages here, the viewset in
``api/classifications.py``. What they do besides the generic pages: the detail page counts the partners using the
entry and links to them, and the delete page says so instead of offering a delete the service would refuse."""

from __future__ import annotations

from functools import partial

from django.urls import path, reverse

from keshang.core.modelviews import ModelViews, model_urls
from keshang.core.permissions import Action
from keshang.core.scope import has_action
from keshang.core.views import ObjectDeleteView, ObjectDetailView

from .. import selectors, services
from ..filters import IndustryFilterSet, PartnerLevelFilterSet, TagFilterSet
from ..forms import IndustryForm, PartnerLevelForm, TagForm
from ..models import Industry, PartnerLevel, Tag
from ..tables import IndustryTable, PartnerLevelTable, TagTable

__all__ = ["PARTNER_LEVEL_VIEWS", "INDUSTRY_VIEWS", "TAG_VIEWS", "urlpatterns"]

# The partner list's filter for each classification.
PARTNER_FILTERS = {PartnerLevel: "level", Industry: "industry", Tag: "tag"}


class ClassificationDetailView(ObjectDetailView):
    template_name = "partners/classification_detail.html"

    def extra(self, obj):
        context = super().extra(obj)
        context["partner_count"] = selectors.count_partners_using(obj)
        if has_action(self.request.user, "partners.partner", Action.VIEW):
            context["partners_url"] = f"{reverse('partners:partner_list')}?{PARTNER_FILTERS[self.model]}={obj.pk}"
        return context


class ClassificationDeleteView(ObjectDeleteView):
    """Shows how many partners use it; the service refuses while any do."""

    template_name = "partners/classification_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.context_data["partner_count"] = selectors.count_partners_using(response.context_data["object"])
        return response

    def delete_object(self, obj):
        services.delete_classification(actor=self.request.user, instance=obj)


PARTNER_LEVEL_VIEWS = ModelViews(
    model=PartnerLevel,
    url_prefix="levels",
    selector=selectors.list_partner_levels,
    table=PartnerLevelTable,
    filterset=PartnerLevelFilterSet,
    form_class=PartnerLevelForm,
    save=partial(services.save_classification, model=PartnerLevel),
    delete=services.delete_classification,
    export_basename="partner-levels",
    detail_fields=("code", "name", "order"),
    detail_view=ClassificationDetailView,
)
INDUSTRY_VIEWS = ModelViews(
    model=Industry,
    url_prefix="industries",
    selector=selectors.list_industries,
    table=IndustryTable,
    filterset=IndustryFilterSet,
    form_class=IndustryForm,
    save=partial(services.save_classification, model=Industry),
    delete=services.delete_classification,
    export_basename="industries",
    detail_fields=("name", "order"),
    detail_view=ClassificationDetailView,
)
TAG_VIEWS = ModelViews(
    model=Tag,
    url_prefix="tags",
    selector=selectors.list_tags,
    table=TagTable,
    filterset=TagFilterSet,
    form_class=TagForm,
    save=partial(services.save_classification, model=Tag),
    delete=services.delete_classification,
    export_basename="tags",
    detail_fields=("name",),
    detail_view=ClassificationDetailView,
)


def _classification_urls(spec: ModelViews) -> list:
    """The declared pages, with the delete page that counts the partners still using the entry in place of the
    generic one (``ModelViews`` takes a detail and an edit view of one's own, not yet a delete view)."""
    delete_name = f"{spec.model_name}_delete"
    delete_view = type(
        f"{spec.model.__name__}DeleteView",
        (ClassificationDeleteView,),
        {"model": spec.model, "selector": spec.selector},
    )
    return [
        path(str(pattern.pattern), delete_view.as_view(), name=delete_name) if pattern.name == delete_name else pattern
        for pattern in model_urls(spec)
    ]


urlpatterns = [
    *_classification_urls(PARTNER_LEVEL_VIEWS),
    *_classification_urls(INDUSTRY_VIEWS),
    *_classification_urls(TAG_VIEWS),
]
