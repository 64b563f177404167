"""Reads of the approval engine: a user's tasks (the inbox), a document's requests and their history, the requests
a user may open, and a request's document and page."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from keshang.core.models import ApprovalRequest, ApprovalStatus, ApprovalTask, ApprovalTaskStatus
from keshang.core.permissions import Action

__all__ = [
    "requests_of",
    "list_my_tasks",
    "count_my_pending_tasks",
    "get_pending_request",
    "approval_history",
    "list_visible_requests",
    "request_document",
    "request_url",
]


def requests_of(obj: models.Model):
    # Requests are read by their document: whoever holds the document (the caller checked) may see them.
    return ApprovalRequest.objects.unscoped().filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


def list_my_tasks(*, user, status: str = "pending"):
    """The user's own approval tasks, newest first: ``pending`` (the inbox), ``done`` (those they decided),
    ``all``, or one task status. Personal, like notifications: no grant is needed to see one's own tasks."""
    tasks = (
        ApprovalTask.objects.unscoped()
        .filter(approver=user)
        .select_related("request", "request__submitter", "request__content_type", "delegated_from")
        .order_by("-pk")
    )
    if status == "done":
        return tasks.filter(
            status__in=[ApprovalTaskStatus.APPROVED, ApprovalTaskStatus.REJECTED, ApprovalTaskStatus.RETURNED]
        ).order_by("-decided_at", "-pk")
    if status == "all":
        return tasks
    return tasks.filter(status=status)


def count_my_pending_tasks(*, user) -> int:
    return list_my_tasks(user=user).count()


def get_pending_request(obj: models.Model) -> ApprovalRequest | None:
    """The document's pending request, if any (the caller holds the document, so may see its approval)."""
    return requests_of(obj).filter(status=ApprovalStatus.PENDING).select_related("submitter").first()


def approval_history(obj: models.Model):
    """Every request of the document, newest first, with its tasks (in step order) and their people."""
    return (
        requests_of(obj)
        .select_related("submitter")
        .prefetch_related(
            models.Prefetch(
                "tasks",
                queryset=ApprovalTask.objects.unscoped()
                .select_related("approver", "delegated_from")
                .order_by("step_order", "pk"),
            )
        )
        .order_by("-pk")
    )


def list_visible_requests(*, user):
    """Requests ``user`` may open: their own submissions, those they are or were asked to approve (also as the
    one who delegated), and those of documents they may view (the document's own data scope decides)."""
    if not user or not user.is_authenticated or not user.is_active:
        return ApprovalRequest.objects.none()
    requests = ApprovalRequest.objects.unscoped()
    if user.is_superuser:
        return requests
    mine = models.Q(submitter=user) | models.Q(
        pk__in=ApprovalTask.objects.unscoped()
        .filter(models.Q(approver=user) | models.Q(delegated_from=user))
        .values("request_id")
    )
    content_types = requests.values_list("content_type", flat=True).distinct()
    for content_type in ContentType.objects.filter(pk__in=content_types):
        model = content_type.model_class()
        if model is None or not hasattr(model._default_manager, "visible_to"):
            continue
        visible = model._default_manager.visible_to(user, Action.VIEW).values("pk")
        mine |= models.Q(content_type=content_type, object_id__in=visible)
    return requests.filter(mine)


def request_document(request: ApprovalRequest, *, user) -> models.Model | None:
    """The request's document if ``user`` may view it (for a link to it), else None."""
    model = request.content_type.model_class()
    if model is None or not hasattr(model._default_manager, "visible_to"):
        return None
    return model._default_manager.visible_to(user, Action.VIEW).filter(pk=request.object_id).first()


def request_url(request: ApprovalRequest) -> str:
    return reverse("core:approvalrequest_detail", args=[request.pk])
