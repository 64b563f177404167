"""Settings for the test suite: the normal settings with KESHANG_TESTING on (pytest-django loads this
before any conftest runs, so the switch cannot live in conftest.py)."""

import os

os.environ["KESHANG_TESTING"] = "1"

from keshang.settings import *  # noqa: E402, F403
