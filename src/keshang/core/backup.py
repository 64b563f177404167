"""Database backup and restore: SQLite through its online backup API (consistent while the app runs),
PostgreSQL through pg_dump/pg_restore in the custom format."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections

__all__ = ["backup_database", "restore_database"]

PG_BIN_DIRS = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"]


def _database(alias: str = "default") -> dict:
    return settings.DATABASES[alias]


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for directory in PG_BIN_DIRS:
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    raise FileNotFoundError(f"{name} not found; install the PostgreSQL client tools.")


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432), "--username", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def backup_database(target: Path, alias: str = "default") -> Path:
    db = _database(alias)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if db["ENGINE"].endswith("sqlite3"):
        connections[alias].close()
        source = sqlite3.connect(db["NAME"])
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
    else:
        args, env = _pg_env(db)
        subprocess.run(
            [_pg_tool("pg_dump"), *args, "--format=custom", "--file", str(target), db["NAME"]], env=env, check=True
        )
    return target


def restore_database(source: Path, alias: str = "default") -> None:
    """Replace the database's contents with the backup's. Stop the app first."""
    db = _database(alias)
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(source)
    connections[alias].close()
    if db["ENGINE"].endswith("sqlite3"):
        backup = sqlite3.connect(source)
        destination = sqlite3.connect(db["NAME"])
        try:
            with destination:
                backup.backup(destination)
        finally:
            destination.close()
            backup.close()
    else:
        args, env = _pg_env(db)
        subprocess.run(
            [
                _pg_tool("pg_restore"),
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--dbname",
                db["NAME"],
                str(source),
            ],
            env=env,
            check=True,
        )
