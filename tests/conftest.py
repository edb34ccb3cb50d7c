"""Shared by every test: the tests read reja's English messages (the msgids of reja.i18n), so they run
with REJA_LANG=en; tests of the Uzbek and Russian texts choose their language explicitly
(tests/i18n, tests/review/test_browser.py)."""

import os

os.environ["REJA_LANG"] = "en"
