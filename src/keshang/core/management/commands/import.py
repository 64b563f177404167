"""``keshang import KIND FILE``: the import wizard for administrators and scripts.

    keshang import partners customers.xlsx --policy update --as wang
    keshang import partners suppliers.csv --option role=supplier --map name=company_name

Runs in this process, all or nothing (as the web import's commit), prints created / updated / skipped /
rejected and the error report's path, and exits with status 1 when any row was rejected (nothing was
written then). Without ``--as`` the import runs as the system: no data scope applies, and rows without
an owner go to the public pool.
"""

from __future__ import annotations

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from keshang.core import importing
from keshang.core.exceptions import ApplicationError
from keshang.core.models import ImportStatus
from keshang.core.people import user_model


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, separator, item = value.partition("=")
        if not separator or not key.strip():
            raise CommandError(_("%(what)s 应写成 名称=值：%(value)s") % {"what": what, "value": value})
        pairs[key.strip()] = item.strip()
    return pairs


class Command(BaseCommand):
    help = "Import records (e.g. partners) from an .xlsx or .csv file, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="what to import, e.g. partners")
        parser.add_argument("file", help="an .xlsx or .csv file")
        parser.add_argument(
            "--policy",
            choices=importing.DuplicatePolicy.values,
            default=importing.DuplicatePolicy.SKIP,
            help="rows matching an existing record: skip (default), update, or create anyway",
        )
        parser.add_argument("--as", dest="username", help="import as this user (their grants and data scope apply)")
        parser.add_argument(
            "--option", action="append", default=[], metavar="NAME=VALUE", help="an importer option, e.g. role=supplier"
        )
        parser.add_argument(
            "--map",
            dest="mappings",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="read FIELD from COLUMN (a header, or a number from 1); replaces the guess from the headers",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, kind, file, policy, username, option, mappings, dry_run, **options):
        importer = importing.get_importer(kind)
        if importer is None:
            known = ", ".join(sorted(importing.importers())) or "-"
            raise CommandError(_("未知的导入类型：%(kind)s（可用：%(known)s）") % {"kind": kind, "known": known})
        actor = None
        if username:
            # The named user may be anyone: an administrator chooses whom the import runs as.
            actor = user_model().objects.unscoped().filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(_("用户“%(username)s”不存在或已停用。") % {"username": username})
        if not os.path.isfile(file):
            raise CommandError(_("文件不存在：%(file)s") % {"file": file})
        try:
            with open(file, "rb") as handle:
                job = importing.create_import_job(
                    actor=actor,
                    kind=kind,
                    upload=File(handle, name=os.path.basename(file)),
                    policy=policy,
                    options=_pairs(option, "--option"),
                )
            job = importing.set_import_mapping(
                actor=actor,
                job=job,
                columns=self._columns(job, importer, mappings),
                policy=policy,
                options=job.mapping["options"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        job = importing.run_import_job(job_pk=job.pk, commit=not dry_run)
        self._report(job, importer, dry_run=dry_run)

    def _columns(self, job, importer, overrides: list[str]) -> dict[str, int | None]:
        columns: dict[str, int | None] = dict(job.mapping["columns"])
        headers = job.mapping["headers"]
        fields = {item.name: item for item in importer.fields}
        fields.update({str(item.label): item for item in importer.fields})
        for name, column in _pairs(overrides, "--map").items():
            item = fields.get(name)
            if item is None:
                raise CommandError(_("没有名为“%(name)s”的字段。") % {"name": name})
            if not column:
                columns[item.name] = None
            elif column.isdigit() and 1 <= int(column) <= len(headers):
                columns[item.name] = int(column) - 1
            elif column in headers:
                columns[item.name] = headers.index(column)
            else:
                raise CommandError(_("文件中没有“%(column)s”列。") % {"column": column})
        return columns

    def _report(self, job, importer, *, dry_run: bool) -> None:
        self.stdout.write(
            _("%(file)s：共 %(total)s 行（%(kind)s）")
            % {"file": job.original_name, "total": job.total_rows, "kind": importer.verbose_name}
        )
        self.stdout.write(
            _("新增 %(created)s，更新 %(updated)s，跳过 %(skipped)s，拒绝 %(rejected)s")
            % {
                "created": job.created_count,
                "updated": job.updated_count,
                "skipped": job.skipped_count,
                "rejected": job.error_count,
            }
        )
        if job.error_report:
            self.stdout.write(_("错误报告：%(path)s") % {"path": _report_path(job)})
        if job.error_count:
            raise CommandError(_("有 %(count)s 行被拒绝，未写入任何数据。") % {"count": job.error_count})
        if job.status == ImportStatus.FAILED:
            raise CommandError(job.message)
        if dry_run:
            self.stdout.write(_("校验通过（--dry-run：未写入任何数据）。"))
        else:
            self.stdout.write(self.style.SUCCESS(job.message))


def _report_path(job) -> str:
    try:
        return job.error_report.path
    except NotImplementedError:  # a storage without local paths (e.g. object storage)
        return job.error_report.url
