"""Shared by every test: the tests read reja's English messages (the msgids of reja.i18n), so they run
with REJA_LANG=en; tests of the Uzbek and Russian texts choose their language explicitly
(tests/i18n, tests/review/test_browser.py)."""

import os

os.environ["REJA_LANG"] = "en"


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _language_of_each_test_is_its_own():
    """`reja --lang uz …` run in-process (CliRunner) sets the language of the whole process, as it
    should for a command; a test that does so must not change the language of the tests after it."""
    yield
    from reja.i18n import set_language

    set_language(None)


@pytest.fixture(scope="session")
def pg_cluster():
    """One throwaway PostgreSQL cluster per test process (tests/pgcluster.py), dropped at the end.
    Not skipped when PostgreSQL is missing: `make setup` installs it, so its absence is a failure."""
    from tests.pgcluster import TempCluster

    cluster = TempCluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh, empty database of the session's cluster (its URL), dropped after the test."""
    url = pg_cluster.create_database()
    yield url
    pg_cluster.drop_database(url)
