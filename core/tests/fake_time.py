"""A clock for tests of anything that paces or backs off through `core.http`."""

import pytest


class FakeTime:
    """A monotonic clock that only moves when someone sleeps (or a test says time passed)."""

    def __init__(self, now: float = 1000.0):
        self.now = now
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()
