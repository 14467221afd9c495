"""Fixtures the card tests share with the apps below: the seed trials, and PubMed replayed."""

from literature.tests.conftest import clock, eutils, make_client  # noqa: F401
from trials.tests.conftest import seed_trials  # noqa: F401
