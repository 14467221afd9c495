"""The daily registry sync: what to ask ClinicalTrials.gov, and how to never lose or double a version.

A sync is a `SyncRun` working through phases (the trials the handbook cites, by `filter.ids`;
then the condition, incrementally by last-update date). Each page of results is stored and the
run's cursor moved past it in one transaction, so a run killed anywhere resumes at the first
page it had not finished; a page read twice stores nothing twice, because an unchanged record
only moves its "last seen" date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from trials import actions
from trials.models import SyncRun
from trials.records import RecordError
from trials.sources.api_v2 import parse_study
from trials.sources.clinicaltrials_gov import ClinicalTrialsGovClient, PageTokenExpired

IDS_PER_REQUEST = 100


def incremental_term(since: dt.date | None) -> str | None:
    return f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]" if since else None


def last_ready_since() -> dt.date | None:
    """The registry date of the last finished sync: the next one asks for what changed since."""
    run = SyncRun.objects.filter(kind=SyncRun.Kind.API).latest_ready()
    if run is None:
        return None
    snapshot = run.parameters.get("snapshot_date")
    return dt.date.fromisoformat(snapshot) if snapshot else run.started_at.date()


def plan_phases(*, ids: Iterable[str], condition: str | None, since: dt.date | None) -> list[dict]:
    phases = []
    ids = sorted({nct_id.upper() for nct_id in ids})
    for start in range(0, len(ids), IDS_PER_REQUEST):
        phases.append({"name": "ids", "ids": ids[start : start + IDS_PER_REQUEST]})
    if condition:
        phases.append(
            {"name": "condition", "condition": condition, "term": incremental_term(since)}
        )
    return phases


def resumable_run() -> SyncRun | None:
    """The newest unfinished sync (killed, or failed when the network or registry gave out),
    unless a later one finished: it is taken up again from its cursor."""
    runs = SyncRun.objects.filter(kind=SyncRun.Kind.API).order_by("-started_at")
    latest = runs.first()
    if latest is None or latest.is_ready:
        return None
    return latest


def start_or_resume(
    *,
    client: ClinicalTrialsGovClient,
    ids: Iterable[str],
    condition: str | None,
    since: dt.date | None,
) -> tuple[SyncRun, bool]:
    """An unfinished run is resumed as it was planned; otherwise a new run is planned."""
    run = resumable_run()
    if run is not None:
        return actions.resume_run(run=run), True
    version = client.version()
    timestamp = version.get("dataTimestamp", "")
    snapshot = timestamp[:10] if timestamp else dt.date.today().isoformat()
    run = actions.start_run(
        kind=SyncRun.Kind.API,
        parameters={
            "phases": plan_phases(ids=ids, condition=condition, since=since),
            "snapshot_date": snapshot,
            "data_timestamp": timestamp,
            "since": since.isoformat() if since else None,
        },
    )
    run.cursor = {"phase": 0, "page_token": None, "pages": 0}
    run.save(update_fields=["cursor"])
    return run, False


def run_sync(
    *,
    run: SyncRun,
    client: ClinicalTrialsGovClient,
    on_outcome: Callable[[actions.Outcome], None] | None = None,
    on_page: Callable[[SyncRun], None] | None = None,
) -> SyncRun:
    phases = run.parameters["phases"]
    snapshot = run.parameters["snapshot_date"]
    timestamp = run.parameters.get("data_timestamp", "")
    try:
        while run.cursor["phase"] < len(phases):
            phase = phases[run.cursor["phase"]]
            try:
                page = client.search_page(**_query(phase), page_token=run.cursor.get("page_token"))
            except PageTokenExpired:
                run.cursor = {
                    **run.cursor,
                    "page_token": None,
                    "restarts": run.cursor.get("restarts", 0) + 1,
                }
                run.save(update_fields=["cursor"])
                continue
            if page.next_page_token:
                next_cursor = {
                    **run.cursor,
                    "page_token": page.next_page_token,
                    "pages": run.cursor["pages"] + 1,
                }
            else:
                next_cursor = {
                    **run.cursor,
                    "phase": run.cursor["phase"] + 1,
                    "page_token": None,
                    "pages": run.cursor["pages"] + 1,
                }
            _store_page(
                run=run,
                studies=page.studies,
                cursor=next_cursor,
                snapshot=snapshot,
                timestamp=timestamp,
                on_outcome=on_outcome,
            )
            if on_page:
                on_page(run)
    except BaseException as exc:
        run.refresh_from_db(fields=["seen", "new", "changed", "unchanged", "rejected", "cursor"])
        actions.finish_run(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    return actions.finish_run(run=run)


def _query(phase: dict) -> dict:
    if phase["name"] == "ids":
        return {"ids": phase["ids"], "page_size": IDS_PER_REQUEST}
    return {"cond": phase["condition"], "term": phase.get("term"), "page_size": 1000}


@transaction.atomic
def _store_page(*, run, studies, cursor, snapshot, timestamp, on_outcome) -> None:
    """Store a page of studies and move the cursor past it, all or nothing.

    `trials_stored` is sent for the page's new and changed trials once it has committed.
    """
    stored = []
    for study in studies:
        source = f"api:{_nct_id_of(study) or '?'}"
        try:
            document = parse_study(
                study, source=source, snapshot_date=snapshot, data_timestamp=timestamp
            )
            outcome = actions.store_document(run=run, document=document, source=source)
        except RecordError as exc:
            outcome = actions.reject_document(
                run=run,
                source=source,
                reason=str(exc),
                nct_id=_nct_id_of(study),
                raw=repr(study)[:2000],
            )
        if outcome.status in actions.STORED_STATUSES:
            stored.append(outcome.nct_id)
        if on_outcome:
            on_outcome(outcome)
    run.cursor = cursor
    run.save(update_fields=["cursor", "seen", "new", "changed", "unchanged", "rejected"])
    actions.announce_stored(stored)


def _nct_id_of(study) -> str:
    try:
        return str(study["protocolSection"]["identificationModule"]["nctId"])[:11]
    except (KeyError, TypeError):
        return ""


def describe(run: SyncRun) -> str:
    return _(
        "Seen %(seen)d, new %(new)d, changed %(changed)d, unchanged %(unchanged)d, rejected %(rejected)d."
    ) % {
        "seen": run.seen,
        "new": run.new,
        "changed": run.changed,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
    }
