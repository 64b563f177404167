"""The shell's own pages: sign-in, sign-out, password change and the home page."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from keshang.core.registry import home_widgets
from keshang.core.views import PersonalViewMixin
from keshang.org.services import change_own_password


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

    def get(self, request):
        return TemplateResponse(request, self.template_name, {"form": self.get_form()})

    def post(self, request):
        form = self.get_form(request.POST)
        if form.is_valid():
            user = change_own_password(user=request.user, password=form.cleaned_data["new_password1"])
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("web:home")
        return TemplateResponse(request, self.template_name, {"form": form})
