#!/usr/bin/env python3
"""Prove that a test pass really drove the browser (issue 12): read its JUnit report and fail unless browser
tests passed and none was skipped or missing. The root conftest marks each browser test with a ``browser``
property; .ci/run runs every pass with KESHANG_REQUIRE_BROWSER=1 and --junitxml, then calls this on the report.

    python3 scripts/ci-check-browser.py var/ci/junit-sqlite.xml
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def browser_outcomes(path: str) -> dict[str, int]:
    counts = {"passed": 0, "skipped": 0, "failed": 0}
    for case in ET.parse(path).getroot().iter("testcase"):
        properties = {prop.get("name"): prop.get("value") for prop in case.iter("property")}
        if properties.get("browser") != "1":
            continue
        if case.find("skipped") is not None:
            counts["skipped"] += 1
        elif case.find("failure") is not None or case.find("error") is not None:
            counts["failed"] += 1
        else:
            counts["passed"] += 1
    return counts


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        counts = browser_outcomes(argv[1])
    except (OSError, ET.ParseError) as error:
        print(f"browser check: no readable JUnit report at {argv[1]}: {error}", file=sys.stderr)
        return 1
    passed, skipped, failed = counts["passed"], counts["skipped"], counts["failed"]
    print(f"browser tests in {argv[1]}: {passed} passed, {skipped} skipped, {failed} failed")
    if counts["passed"] == 0 or counts["skipped"]:
        print("browser check: FAILED: browser tests were expected to run and did not", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
