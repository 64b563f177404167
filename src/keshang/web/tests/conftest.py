"""Browser fixtures: one headless Chromium per module, a fresh context per test, and a watcher that records
console errors, uncaught page errors, CSP violations and requests to any host but the live server.

Playwright's sync API keeps an event loop running in the test thread, so Django would refuse ORM calls
made from the test body (SynchronousOnlyOperation); DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser
fixtures' lifetime only. Chromium is never downloaded: the system one is used, and the root conftest
skips the ``browser`` tests when it is missing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

try:  # the root conftest (rootdir on sys.path) owns the path and the skip when Chromium is missing
    from conftest import CHROMIUM
except ImportError:  # pragma: no cover - run from elsewhere
    CHROMIUM = os.environ.get("KESHANG_CHROMIUM", "/usr/bin/chromium")

ADMIN_PASSWORD = "Admin-Pass-2026"
DEMO_PASSWORD = "Demo-Pass-2026"
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Reports CSP violations to Python even when Chromium would not log them (e.g. blocked style attributes).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__kshCspViolation(event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.fixture(scope="module")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def company(monkeypatch, live_server):
    """The demo company with known passwords, in the database the live server thread reads."""
    monkeypatch.setenv("KESHANG_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("KESHANG_DEMO_PASSWORD", DEMO_PASSWORD)
    with open(os.devnull, "w") as devnull:
        call_command("setup", verbosity=0, stdout=devnull)


@dataclass
class PageWatcher:
    """What went wrong in the browser while a test ran; ``assert_clean`` fails the test on any of it."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: int = 0

    def on_console(self, message) -> None:
        if message.type == "error":
            location = message.location or {}
            self.console_errors.append(f"{message.text} ({location.get('url', '?')}:{location.get('lineNumber', '?')})")

    def on_csp_violation(self, text: str) -> None:
        self.csp_violations.append(text)

    def on_request(self, request) -> None:
        self.requests += 1
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(request.url)

    def problems(self) -> list[str]:
        return (
            [f"console error: {text}" for text in self.console_errors]
            + [f"page error: {text}" for text in self.page_errors]
            + [f"CSP violation: {text}" for text in self.csp_violations]
            + [f"request to another host: {url}" for url in self.foreign_requests]
        )

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems)


@pytest.fixture
def watcher(live_server) -> PageWatcher:
    parts = urlsplit(live_server.url)
    return PageWatcher(origin=f"{parts.scheme}://{parts.netloc}")


@pytest.fixture
def page(chromium_browser, live_server, watcher):
    """A fresh desktop-sized page (own cookies), every problem reported to ``watcher``."""
    context = chromium_browser.new_context(
        viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    context.expose_function("__kshCspViolation", watcher.on_csp_violation)
    context.add_init_script(CSP_LISTENER)
    context.on("request", watcher.on_request)
    page = context.new_page()
    page.on("console", watcher.on_console)
    page.on("pageerror", lambda error: watcher.page_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """``screenshot(page, name)`` saves a full-page PNG under test-artifacts/ (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
