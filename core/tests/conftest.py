"""Fixtures shared by core's tests."""

from core.tests.fake_time import fake_time  # noqa: F401 (fixture)
