import os
import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from keshang.org.models import Department, Role, User
from keshang.org.services import create_user


class Command(BaseCommand):
    help = "Create a user without prompting; prints the password when it was generated."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--department", help="department code")
        parser.add_argument("--role", action="append", default=[], help="role name (repeatable)")
        parser.add_argument("--superuser", action="store_true")
        parser.add_argument(
            "--password-env", default="KESHANG_NEW_USER_PASSWORD", help="read the password from this variable"
        )

    def handle(self, *args, username, name, email, department, role, superuser, password_env, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户 {username} 已存在。")
        roles = list(Role.objects.filter(name__in=role))
        unknown = sorted(set(role) - {found.name for found in roles})
        if unknown:
            raise CommandError(f"没有这些角色 / no such role: {', '.join(unknown)}")
        try:
            department = Department.objects.get(code=department) if department else None
        except Department.DoesNotExist as error:
            raise CommandError(f"没有这个部门 / no such department: {department}") from error
        password = os.environ.get(password_env) or secrets.token_urlsafe(12)
        try:
            user = create_user(
                actor=None,
                username=username,
                password=password,
                name=name,
                email=email,
                department=department,
                roles=roles,
                is_superuser=superuser,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"已创建用户 {user.username}"))
        if not os.environ.get(password_env):
            self.stdout.write(f"密码 / password: {password}")
