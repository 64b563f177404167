"""Root test configuration: shared fixtures and the switch that skips browser tests without Chromium.

CI sets KESHANG_REQUIRE_BROWSER=1 (.ci/run): there a missing Chromium fails every browser test instead of
skipping it, and each browser test carries a ``browser`` property into the JUnit report, from which
scripts/ci-check-browser.py proves they ran (issue 12: they skipped silently and nothing showed it)."""

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


def browser_required() -> bool:
    return os.environ.get("KESHANG_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.keywords:
            item.user_properties.append(("browser", "1"))
    if chromium_available() or browser_required():
        return
    skip = pytest.mark.skip(reason=BROWSER_SKIP_MESSAGE)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_runtest_setup(item):
    if browser_required() and "browser" in item.keywords and not chromium_available():
        pytest.fail(f"KESHANG_REQUIRE_BROWSER=1: {BROWSER_SKIP_MESSAGE}", pytrace=False)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not chromium_available():
        terminalreporter.write_sep("!", BROWSER_SKIP_MESSAGE, yellow=True, bold=True)
