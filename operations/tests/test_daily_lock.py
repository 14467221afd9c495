"""The daily job runs once at a time: a second start exits with 75 and says why (ADR 0017)."""

import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCKED = ROOT / "scripts" / "run-locked.sh"


def wait_for(path: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_a_second_run_exits_75_while_the_first_holds_the_lock(tmp_path):
    lock = tmp_path / "var" / "job.lock"
    started = tmp_path / "started"
    first = subprocess.Popen(  # noqa: S603
        [str(LOCKED), str(lock), "sh", "-c", f"touch {started}; sleep 3"],
    )
    try:
        wait_for(started)
        second = subprocess.run(  # noqa: S603
            [str(LOCKED), str(lock), "touch", str(tmp_path / "second-ran")],
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert second.returncode == 75
        assert f"another run holds {lock}" in second.stderr
        assert not (tmp_path / "second-ran").exists()
    finally:
        assert first.wait(timeout=20) == 0
    third = subprocess.run([str(LOCKED), str(lock), "sh", "-c", "exit 3"], timeout=20)  # noqa: S603
    assert third.returncode == 3


def test_a_run_killed_with_sigkill_leaves_no_lock_behind(tmp_path):
    """kill -9 of the whole run (its process group, as systemd or an operator would)."""
    lock = tmp_path / "job.lock"
    started = tmp_path / "started"
    first = subprocess.Popen(  # noqa: S603
        [str(LOCKED), str(lock), "sh", "-c", f"touch {started}; exec sleep 30"],
        start_new_session=True,
    )
    wait_for(started)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=20)
    assert first.returncode == -signal.SIGKILL
    after = subprocess.run([str(LOCKED), str(lock), "true"], timeout=20)  # noqa: S603
    assert after.returncode == 0


def test_daily_job_itself_takes_the_lock(tmp_path):
    """Two daily.sh runs at once, with a stand-in for manage.py that only sleeps."""
    fake_python = tmp_path / "python"
    log = tmp_path / "calls"
    fake_python.write_text(f'#!/bin/sh\necho "$@" >> {log}\nsleep 1\n')
    fake_python.chmod(0o755)
    env = dict(os.environ, PY=str(fake_python), DAILY_LOCK_FILE=str(tmp_path / "daily.lock"))
    env.pop("LH_DAILY_LOCKED", None)
    daily = ROOT / "scripts" / "daily.sh"
    first = subprocess.Popen([str(daily)], env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    try:
        wait_for(log)
        second = subprocess.run(  # noqa: S603
            [str(daily)], env=env, capture_output=True, text=True, timeout=30
        )
        assert second.returncode == 75
        assert "another run holds" in second.stderr
    finally:
        assert first.wait(timeout=60) == 0
    calls = log.read_text().splitlines()
    assert calls[:4] == [
        "manage.py sync_trials",
        "manage.py sync_publications",
        "manage.py check_freshness",
        "manage.py purge_applications",
    ]
