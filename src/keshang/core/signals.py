"""Login, logout and failed logins into the audit trail.

These are the one place we listen to signals: Django's auth views and DRF's token view log users in
themselves, so no service of ours runs at that moment; the auth signals are Django's documented hook
for exactly this.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .models import AuditAction


@receiver(user_logged_in, dispatch_uid="keshang_audit_login")
def audit_login(sender, request, user, **kwargs):
    audit.record_event(actor=user, action=AuditAction.LOGIN, obj=user)


@receiver(user_logged_out, dispatch_uid="keshang_audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record_event(actor=user, action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed, dispatch_uid="keshang_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    audit.record_event(
        actor=None, action=AuditAction.LOGIN_FAILED, user_name=str(credentials.get("username", ""))[:150]
    )
