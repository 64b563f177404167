"""Pages of core's attachments framework: the attachments tab of a record (list and upload), download
and delete, for every model registered with :func:`~keshang.core.attachments.register_attachable`.

The views are core's scoped bases with ``model`` set to the *parent* model: its grants and scope
decide. Reading needs "view" on the parent, uploading and deleting "change". A parent the user cannot
view is a 404; one they may view but not change is a 403 for writes.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .. import attachments
from ..permissions import Action
from ..views import ObjectDetailView, ScopedViewMixin, redirect_after_write

__all__ = [
    "AttachmentUploadForm",
    "AttachmentParentMixin",
    "AttachmentListView",
    "AttachmentDownloadView",
    "AttachmentDeleteView",
    "urlpatterns",
]

TAB_KEY = "attachments"


class AttachmentUploadForm(forms.Form):
    """Only that a file came; what it may be is the service's rule (:func:`attachments.check_upload`)."""

    file = forms.FileField(
        label=gettext_lazy("文件"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
        error_messages={"required": gettext_lazy("请选择要上传的文件。")},
    )


class AttachmentParentMixin(ScopedViewMixin):
    """``model`` is the parent model and the URL's ``pk`` the parent's; ``self.queryset`` holds the
    parents the user may act on with this view's action."""

    def get_parent(self):
        parent = self.queryset.filter(pk=self.kwargs["pk"]).first()
        if parent is not None:
            return parent
        if self.get_action() != Action.VIEW:
            viewable = self.model._default_manager.visible_to(self.request.user, Action.VIEW)
            if viewable.filter(pk=self.kwargs["pk"]).exists():
                raise PermissionDenied(_("您可以查看此记录，但没有修改它的权限。"))
        return get_object_or_404(self.queryset, pk=self.kwargs["pk"])

    def get_attachment(self, parent):
        attachments_of_parent = attachments.list_attachments(user=self.request.user, obj=parent, action=Action.VIEW)
        return get_object_or_404(attachments_of_parent, pk=self.kwargs["attachment_pk"])

    def list_url(self, parent) -> str:
        return reverse(attachments.attachment_url_name(self.model, "list"), args=[parent.pk])


class AttachmentListView(AttachmentParentMixin, ObjectDetailView):
    """The record's 附件 tab: GET lists (view), POST uploads one file (change)."""

    template_name = "core/attachment_list.html"

    def get_action(self) -> str:
        return Action.CHANGE if self.request.method == "POST" else Action.VIEW

    def get(self, request, *args, **kwargs):
        return self.render(self.get_parent(), AttachmentUploadForm())

    def post(self, request, *args, **kwargs):
        parent = self.get_parent()
        form = AttachmentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    attachment = attachments.upload_attachment(
                        actor=request.user, obj=parent, upload=form.cleaned_data["file"]
                    )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("已上传“%(name)s”。") % {"name": attachment.name})
                return redirect_after_write(request, self.list_url(parent))
        return self.render(parent, form, status=422 if getattr(request, "htmx", False) else 200)

    def render(self, parent, form, status=200):
        context = self.get_context_data(object=parent, **self.extra(parent))
        context.update(tab=TAB_KEY, upload_form=form)
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def extra(self, obj):
        context = super().extra(obj)
        can_change = self.can(Action.CHANGE, obj)
        context.update(
            attachments=attachments.list_attachments(user=self.request.user, obj=obj),
            can_upload=can_change,
            upload_url=self.list_url(obj),
            max_upload_size=filesizeformat(attachments.max_upload_bytes()),
            download_view=attachments.attachment_url_name(self.model, "download"),
            delete_view=attachments.attachment_url_name(self.model, "delete") if can_change else None,
        )
        return context


class AttachmentDownloadView(AttachmentParentMixin, View):
    """Streams the file through Django, as a download under its original name."""

    action = Action.VIEW

    def get(self, request, *args, **kwargs):
        attachment = self.get_attachment(self.get_parent())
        return attachments.file_response(attachment.file, name=attachment.name, mime_type=attachment.mime_type)


class AttachmentDeleteView(AttachmentParentMixin, View):
    """Asks for confirmation, then deletes (change on the parent)."""

    action = Action.CHANGE
    template_name = "core/attachment_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        parent = self.get_parent()
        attachment = self.get_attachment(parent)
        context = self.get_context_data(parent=parent, attachment=attachment, cancel_url=self.list_url(parent))
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, *args, **kwargs):
        parent = self.get_parent()
        attachment = self.get_attachment(parent)
        attachments.delete_attachment(actor=request.user, attachment=attachment, parent=parent)
        messages.success(request, _("已删除附件“%(name)s”。") % {"name": attachment.name})
        return redirect_after_write(request, self.list_url(parent))


def _views_for(model) -> dict[str, type]:
    """The three views bound to one parent model (the URL walk sees each with its model)."""
    bases = {"list": AttachmentListView, "download": AttachmentDownloadView, "delete": AttachmentDeleteView}
    return {
        view: type(f"{model.__name__}{base.__name__}", (base,), {"model": model, "__module__": __name__})
        for view, base in bases.items()
    }


def _urlpatterns() -> list:
    patterns = []
    for model in attachments.attachable_models():
        views = _views_for(model)
        prefix = f"attachments/{model._meta.app_label}/{model._meta.model_name}/<int:pk>/"
        name = f"{model._meta.app_label}_{model._meta.model_name}_attachment"
        patterns += [
            path(prefix, views["list"].as_view(), name=f"{name}_list"),
            path(f"{prefix}<int:attachment_pk>/download/", views["download"].as_view(), name=f"{name}_download"),
            path(f"{prefix}<int:attachment_pk>/delete/", views["delete"].as_view(), name=f"{name}_delete"),
        ]
    return patterns


# Built when the URLconf loads, after every app's ready() has registered its attachable models.
urlpatterns = _urlpatterns()
