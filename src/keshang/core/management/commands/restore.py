from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from keshang.core.backup import BackupError, restore_database


class Command(BaseCommand):
    help = "Restore the database from a backup made by `keshang backup`. Stop the app first."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="confirm replacing the current data")

    def handle(self, *args, file, yes=False, **options):
        if not yes:
            raise CommandError("恢复会覆盖当前数据库；确认请加 --yes / restoring replaces current data; pass --yes.")
        try:
            restore_database(Path(file))
        except FileNotFoundError as error:
            raise CommandError(f"找不到文件 / not found: {error}") from error
        except BackupError as error:
            raise CommandError(f"恢复失败，数据库未改动 / restore failed, database unchanged: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"已从 {file} 恢复 / restored."))
