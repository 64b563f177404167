"""The ``keshang`` command line: Django's management commands with Keshang's settings.

keshang setup            migrate, create default roles, and on first run an admin and demo data
keshang serve            start gunicorn and the Huey consumer together (what `make run` runs)
keshang createuser NAME  create a user (prompts for nothing; see --help)
keshang demo             load demo data
keshang import KIND FILE import partners (or another registered kind) from .xlsx/.csv, all or nothing
keshang backup FILE      back up the database;  keshang restore FILE  restore it
keshang <any manage.py command>
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keshang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["keshang", *sys.argv[1:]])


if __name__ == "__main__":
    main()
