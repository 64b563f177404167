from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from keshang.core.backup import BackupError, backup_database


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup, or pg_dump for PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="target file (default: var/backups/keshang-<time>.bak)")

    def handle(self, *args, file=None, **options):
        target = (
            Path(file) if file else settings.VAR_DIR / "backups" / f"keshang-{timezone.localtime():%Y%m%d-%H%M%S}.bak"
        )
        try:
            backup_database(target)
        except (BackupError, FileNotFoundError) as error:
            raise CommandError(f"备份失败 / backup failed: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"已备份到 / backed up to {target}"))
