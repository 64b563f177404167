"""The shell's own pages: sign-in, sign-out, password change, the home page, the global search and the records'
timelines (both gathered from what the apps registered, never by importing them)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.registry import home_widgets
from keshang.core.search import search_everything
from keshang.core.timeline import timeline_for
from keshang.core.views import ObjectDetailView, PersonalViewMixin
from keshang.org.selectors import list_api_tokens, token_rows
from keshang.org.services import change_own_password, revoke_api_token


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        form.fields["password"].widget.attrs.update({"class": "form-control"})
        return form


class LogoutView(auth_views.LogoutView):
    pass


class HomeView(PersonalViewMixin, View):
    template_name = "web/home.html"

    def get(self, request):
        return TemplateResponse(request, self.template_name, {"widgets": home_widgets(request)})


class PasswordChangeView(PersonalViewMixin, View):
    template_name = "registration/password_change.html"

    def get_form(self, data=None):
        form = PasswordChangeForm(self.request.user, data)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form

    def context(self, form) -> dict:
        """The form, and one's own API tokens (a password change revokes them all: the page says so)."""
        tokens = list_api_tokens(viewer=self.request.user, user=self.request.user)
        url = lambda token: reverse("web:api_token_revoke", args=[token.pk])  # noqa: E731
        return {"form": form, "tokens": token_rows(tokens, url)}

    def get(self, request):
        return TemplateResponse(request, self.template_name, self.context(self.get_form()))

    def post(self, request):
        form = self.get_form(request.POST)
        if form.is_valid():
            user = change_own_password(user=request.user, password=form.cleaned_data["new_password1"])
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("web:home")
        return TemplateResponse(request, self.template_name, self.context(form))


class ApiTokenRevokeView(PersonalViewMixin, View):
    """Revoke one of one's own API tokens, after asking; another user's token is a 404."""

    template_name = "org/api_token_revoke.html"

    def get_token(self, pk):
        return get_object_or_404(list_api_tokens(viewer=self.request.user, user=self.request.user), pk=pk)

    def get(self, request, pk):
        token = self.get_token(pk)
        context = {"token": token, "object": request.user, "cancel_url": reverse("web:password_change")}
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, pk):
        token = revoke_api_token(actor=request.user, token=self.get_token(pk))
        messages.success(request, _("已撤销 API 令牌“%(token)s”。") % {"token": token})
        return redirect("web:password_change")


class SearchView(PersonalViewMixin, View):
    """全局搜索: every registered provider the user may use, each reading through the user's own scope."""

    template_name = "web/search.html"

    def get(self, request):
        query = request.GET.get("q", "")[:100]
        results = search_everything(query, user=request.user)
        return TemplateResponse(request, self.template_name, {"query": query.strip(), "results": results})


class TimelineView(ObjectDetailView):
    """A record's 动态 tab: the events every app registered for it that the reader may see, newest first. One
    subclass per model with a timeline (``urls.py``); the record itself is read through the reader's scope."""

    template_name = "web/timeline.html"

    def extra(self, obj):
        context = super().extra(obj)
        context.update(tab="timeline", events=timeline_for(obj, user=self.request.user))
        return context
