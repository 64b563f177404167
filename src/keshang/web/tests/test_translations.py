"""The English catalogue is complete and compiled: every UI string has a translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2]
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_every_message_is_translated_and_not_fuzzy():
    catalogue = polib.pofile(str(PO))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_the_compiled_catalogue_matches_the_source():
    source = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in polib.pofile(str(PO))}
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in polib.mofile(str(MO))}
    compiled.pop((None, ""), None)
    assert compiled == source, "run `make messages` to recompile src/keshang/locale/en/LC_MESSAGES/django.mo"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext not installed: cannot re-extract strings")
def test_the_catalogue_contains_every_marked_string(tmp_path):
    """Re-extracts the strings into a copy and fails when code or templates use one the catalogue lacks."""
    copy = tmp_path / "keshang"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete", "-i", "test_settings.py"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "keshang.test_settings"},
    )
    extracted = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))}
    known = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(PO))}
    assert extracted - known == set(), "run `make messages` and translate the new strings"
