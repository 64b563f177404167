"""Root test configuration: shared fixtures and the switch that skips browser tests without Chromium."""

import os
import shutil

import pytest

pytest_plugins = ["keshang.org.testing.fixtures"]

CHROMIUM = os.environ.get("KESHANG_CHROMIUM", "/usr/bin/chromium")
BROWSER_SKIP_MESSAGE = (
    f"Browser tests skipped: Chromium not found at {CHROMIUM}. "
    "Install it with `apt-get install chromium` (Debian) or set KESHANG_CHROMIUM to its path."
)


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None


def pytest_collection_modifyitems(config, items):
    if chromium_available():
        return
    skip = pytest.mark.skip(reason=BROWSER_SKIP_MESSAGE)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not chromium_available():
        terminalreporter.write_sep("!", BROWSER_SKIP_MESSAGE, yellow=True, bold=True)
