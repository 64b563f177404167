import os
import secrets

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from keshang.core.demo import ensure_currencies
from keshang.core.regions import load_regions
from keshang.core.registry import setup_steps
from keshang.org.models import User
from keshang.org.services import create_user, ensure_default_roles


class Command(BaseCommand):
    help = "Migrate, create default roles, currencies and regions; on first run also an admin and demo data."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="do not load demo data on first run")

    def handle(self, *args, no_demo=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        with transaction.atomic():
            ensure_default_roles()
            ensure_currencies()
            regions = load_regions()
            for step in setup_steps():
                step()
            first_run = not User.objects.filter(is_superuser=True).exists()
            if first_run:
                password = os.environ.get("KESHANG_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
                try:
                    create_user(actor=None, username="admin", password=password, name="系统管理员", is_superuser=True)
                except ValidationError as error:
                    raise CommandError(f"无法创建管理员 / cannot create admin: {' '.join(error.messages)}") from error
        if regions.total:
            self.stdout.write(f"已载入行政区划 / Regions loaded: {regions.total}")
        if first_run:
            self.stdout.write(self.style.SUCCESS("已创建管理员 / Admin created:"))
            shown = "(KESHANG_ADMIN_PASSWORD)" if os.environ.get("KESHANG_ADMIN_PASSWORD") else password
            self.stdout.write(f"  admin      {shown}")
            if not no_demo:
                call_command("demo", stdout=self.stdout)
        self.stdout.write("数据库已就绪 / Database ready.")
