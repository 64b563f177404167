from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from keshang.core.backup import BackupError, backup_database, backup_directory, backup_file_name


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup, or pg_dump for PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            help="target file (default: KESHANG_BACKUP_DIR/keshang-<time>.bak, var/backups unless set)",
        )

    def handle(self, *args, file=None, **options):
        target = Path(file) if file else backup_directory() / backup_file_name()
        try:
            backup_database(target)
        except (BackupError, FileNotFoundError) as error:
            raise CommandError(f"备份失败 / backup failed: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"已备份到 / backed up to {target}"))
