"""A sync killed with SIGKILL half-way is resumed by the next run: no version lost or doubled.

`manage.py sync_trials` runs in a child process against its own database (a SQLite file, or a
new PostgreSQL database) and the local replay of the registry (trials/tests/replay.py), which
sends one page of two studies at a time; the child is killed right after the third page
reached it, while it stores that page. The next run must take up the same run and end with
every study stored exactly once.
"""

import os
import signal
import threading

from trials.tests.replay import ReplayServer
from trials.tests.test_sync_faults import real_studies


def nct(study):
    return study["protocolSection"]["identificationModule"]["nctId"]


def test_sync_killed_mid_run_is_resumed_without_lost_or_doubled_versions(new_site):
    studies = real_studies()
    expected = sorted({nct(study) for study in studies})
    killed_at = threading.Event()
    child = {}

    def kill_after(page):
        if page == 3 and "process" in child:
            os.kill(child["process"].pid, signal.SIGKILL)
            killed_at.set()

    with ReplayServer(studies, page_size=2, page_delay=0.3, after_page=kill_after) as server:
        site = new_site(
            CTGOV_API_BASE=server.base_url,
            CTGOV_REQUEST_INTERVAL="0",
            CTGOV_BACKOFF_SECONDS="0.01",
        )
        process = site.popen("sync_trials", "--full")
        child["process"] = process
        process.wait(timeout=300)
        assert killed_at.is_set(), process.stderr.read()
        assert process.returncode == -signal.SIGKILL

        halfway = site.probe("sync_state")
        ((kind, state, pages, _seen),) = halfway["runs"]
        assert (kind, state) == ("api", "importing")
        assert 2 <= pages <= 3
        assert 0 < len(halfway["trials"]) < len(expected)

        server.page_delay = 0
        server.after_page = None
        site.manage("sync_trials", "--full")

    final = site.probe("sync_state")
    assert final["trials"] == expected
    versions = [nct_id for nct_id, _hash in final["versions"]]
    assert versions == expected
    ((kind, state, pages, seen),) = final["runs"]
    assert (kind, state) == ("api", "ready")
    assert pages == -(-len(studies) // 2)
    assert seen == len(studies)
