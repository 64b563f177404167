"""Admin pages for departments, users and roles, built on core's generic views."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.permissions import Action, get_resource
from keshang.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ObjectMixin,
    ScopedViewMixin,
    redirect_after_write,
)

from .. import selectors, services
from ..filters import DepartmentFilterSet, RoleFilterSet, UserFilterSet
from ..forms import DepartmentForm, RoleForm, UserForm, UserPasswordForm
from ..models import Department, Role, User
from ..tables import DepartmentTable, RoleTable, UserTable

#
# Departments
#


class DepartmentListView(ObjectListView):
    model = Department
    selector = selectors.list_departments
    table = DepartmentTable
    filterset = DepartmentFilterSet


class DepartmentDetailView(ObjectDetailView):
    model = Department
    selector = selectors.list_departments
    detail_fields = ("name", "code", "parent", "head", "is_active", "created_at", "updated_at")


class DepartmentEditView(ObjectEditView):
    model = Department
    form_class = DepartmentForm

    def save_form(self, form):
        data = form.cleaned_data
        if form.instance.pk:
            return services.update_department(actor=self.request.user, department=form.instance, data=data)
        return services.create_department(actor=self.request.user, **data)


class DepartmentDeleteView(ObjectDeleteView):
    model = Department

    def delete_object(self, obj):
        services.delete_department(actor=self.request.user, department=obj)


class DepartmentHistoryView(ObjectHistoryView):
    model = Department


#
# Users
#


class UserListView(ObjectListView):
    model = User
    selector = selectors.list_users
    table = UserTable
    filterset = UserFilterSet


class UserDetailView(ObjectDetailView):
    model = User
    selector = selectors.list_users
    detail_fields = (
        "username",
        "name",
        "department",
        "manager",
        "position",
        "phone",
        "email",
        "roles",
        "is_active",
        "last_login",
        "date_joined",
    )

    def extra(self, obj):
        context = super().extra(obj)
        if context["edit_url"]:
            context["extra_actions"] = [(self.reverse_or_none("password", pk=obj.pk), _("重置密码"))]
        return context


class UserEditView(ObjectEditView):
    model = User
    form_class = UserForm

    def save_form(self, form):
        data = dict(form.cleaned_data)
        password = data.pop("password1", None)
        data.pop("password2", None)
        if form.instance.pk:
            return services.update_user(actor=self.request.user, user=form.instance, data=data)
        return services.create_user(actor=self.request.user, password=password, **data)


class UserPasswordView(ScopedViewMixin, ObjectMixin, View):
    """An administrator sets a new password for a user in their scope."""

    model = User
    action = Action.CHANGE
    template_name = "org/user_password.html"

    def get(self, request, pk):
        target = self.get_object()
        form = UserPasswordForm(user=request.user, target=target)
        return TemplateResponse(request, self.template_name, self.get_context_data(form=form, object=target))

    def post(self, request, pk):
        target = self.get_object()
        form = UserPasswordForm(request.POST, user=request.user, target=target)
        if form.is_valid():
            with transaction.atomic():
                services.set_user_password(actor=request.user, user=target, password=form.cleaned_data["password1"])
            messages.success(request, _("已重置“%(user)s”的密码。") % {"user": target})
            return redirect_after_write(request, self.reverse_or_none("detail", pk=target.pk))
        return TemplateResponse(request, self.template_name, self.get_context_data(form=form, object=target))


class UserTokenRevokeView(ScopedViewMixin, ObjectMixin, View):
    """An administrator revokes one of a user's API tokens (asks first): "change" on that user, as a reset."""

    model = User
    action = Action.CHANGE
    template_name = "org/api_token_revoke.html"

    def _token(self, token_id):
        return get_object_or_404(self.get_object().api_tokens.all(), pk=token_id)

    def _context(self, token):
        return self.get_context_data(
            token=token, object=token.user, cancel_url=self.reverse_or_none("detail", pk=token.user_id)
        )

    def get(self, request, pk, token_id):
        return TemplateResponse(request, self.template_name, self._context(self._token(token_id)))

    def post(self, request, pk, token_id):
        token = services.revoke_api_token(actor=request.user, token=self._token(token_id))
        messages.success(request, _("已撤销 API 令牌“%(token)s”。") % {"token": token})
        return redirect_after_write(request, self.reverse_or_none("detail", pk=token.user_id))


class UserDeleteView(ObjectDeleteView):
    model = User

    def delete_object(self, obj):
        services.delete_user(actor=self.request.user, user=obj)


class UserHistoryView(ObjectHistoryView):
    model = User


#
# Roles
#


class RoleListView(ObjectListView):
    model = Role
    selector = selectors.list_roles
    table = RoleTable
    filterset = RoleFilterSet


class RoleDetailView(ObjectDetailView):
    model = Role
    selector = selectors.list_roles
    template_name = "org/role_detail.html"
    detail_fields = ("name", "persona", "description", "is_active", "updated_at")

    def extra(self, obj):
        context = super().extra(obj)
        context["grants"] = [
            (get_resource(grant.resource), grant)
            for grant in sorted(obj.grants.all(), key=lambda grant: grant.resource)
        ]
        context["members"] = obj.users.filter(is_active=True).order_by("username")[:200]
        return context


class RoleEditView(ObjectEditView):
    model = Role
    form_class = RoleForm
    template_name = "org/role_edit.html"

    def save_form(self, form):
        actor = self.request.user
        if form.instance.pk:
            role = services.update_role(actor=actor, role=form.instance, data=form.model_data())
        else:
            role = services.create_role(actor=actor, **form.model_data())
        return services.set_role_grants(actor=actor, role=role, grants=form.cleaned_grants())


class RoleDeleteView(ObjectDeleteView):
    model = Role

    def delete_object(self, obj):
        services.delete_role(actor=self.request.user, role=obj)


class RoleHistoryView(ObjectHistoryView):
    model = Role
