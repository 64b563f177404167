import os
import secrets

from django.core.management.base import BaseCommand
from django.db import transaction

from keshang.core.registry import demo_loaders
from keshang.org.services import ensure_default_roles


def demo_password_factory():
    """KESHANG_DEMO_PASSWORD for every demo user when set (scripts, tests), else a random one each."""
    fixed = os.environ.get("KESHANG_DEMO_PASSWORD")
    return lambda username: fixed or secrets.token_urlsafe(9)


class Command(BaseCommand):
    help = "Load demo data: a Chinese trading company with one user per persona (演示数据)."

    def handle(self, *args, **options):
        with transaction.atomic():
            ensure_default_roles()
            created: dict[str, str] = {}
            password_for = demo_password_factory()
            for loader in demo_loaders():
                created.update(loader(actor=None, password_for=password_for, stdout=self.stdout) or {})
        if created:
            self.stdout.write(self.style.SUCCESS("演示账号 / Demo users (请妥善保存 / shown once):"))
            # A password the operator chose through the environment is not echoed into logs.
            fixed = bool(os.environ.get("KESHANG_DEMO_PASSWORD"))
            for username, password in created.items():
                self.stdout.write(f"  {username:<10} {'(KESHANG_DEMO_PASSWORD)' if fixed else password}")
        else:
            self.stdout.write("演示数据已存在 / Demo data already present.")
