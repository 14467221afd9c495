"""The publication sync: which papers report each trial, and where each link came from.

A run plans its trials at the start (sorted NCT numbers, in `parameters`) and works through
them in groups of `SEARCH_BATCH`:

1. One esearch `NCT…[si] OR NCT…[si] …` for the group. PubMed's [si] index is built from each
   record's DataBankList, so the group's answer is attributed to trials by reading that list in
   the fetched records: exact, with up to 50 times fewer requests than one search per trial.
   If any PMID cannot be attributed that way (a record PubMed did not return, or an accession
   written differently), the group falls back to one esearch per trial, exact by construction.
2. efetch, 200 PMIDs a request, for every paper the group needs: those found by [si], those
   the registry cites, and those already linked (re-read at every run, so a retraction shows).
3. Each paper is stored in its own transaction; then each trial's links are stored in the same
   transaction that moves the cursor past it.

A request that fails (network, HTTP error, retries used up) stops the run as failed; the next
run with the same scope resumes at its cursor. An answer that cannot be read (malformed XML,
an E-utilities <ERROR>) is narrowed down to the records concerned, which are recorded as the
run's problems; the other trials go on. Runs are idempotent: a trial done again (after a
crash, or by the next run) stores nothing twice. Two runs should not overlap; the daily job
runs one after `sync_trials`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from core.identifiers import is_nct_id, normalise_nct_id
from literature import actions
from literature.models import Publication, PublicationSyncRun, TrialPublication
from literature.sources.pubmed import (
    FETCH_BATCH,
    SEARCH_BATCH,
    ParsedPublication,
    PubMedBadResponse,
    PubMedClient,
    chunks,
)
from trials.models import Trial

ALL = "all"


class PlanError(ValueError):
    pass


def plan(nct_ids: Iterable[str] | None = None) -> tuple[str, list[str]]:
    """(scope, NCT numbers) for a run: the ones asked for, or every trial we know of.

    "Every trial" includes NCT numbers that only have links so far (an editor's, say), since a
    link may come before the registry record.
    """
    if nct_ids:
        ids = sorted({normalise_nct_id(value) for value in nct_ids})
        bad = [value for value in ids if not is_nct_id(value)]
        if bad:
            raise PlanError(
                _("Not NCT numbers (NCT followed by 8 digits): %(ids)s") % {"ids": ", ".join(bad)}
            )
        digest = hashlib.sha256(" ".join(ids).encode()).hexdigest()[:16]
        return f"ids:{digest}", ids
    known = set(Trial.objects.values_list("nct_id", flat=True))
    known |= set(TrialPublication.objects.values_list("nct_id", flat=True))
    return ALL, sorted(known)


def resumable_run(scope: str) -> PublicationSyncRun | None:
    """The newest run of this scope, if it did not finish (killed, or failed)."""
    latest = PublicationSyncRun.objects.filter(scope=scope).order_by("-started_at", "-id").first()
    if latest is None or latest.is_ready:
        return None
    return latest


def start_or_resume(
    *, nct_ids: Iterable[str] | None = None, fresh: bool = False
) -> tuple[PublicationSyncRun, bool]:
    """Resume the unfinished run of the same scope as planned; otherwise plan a new run."""
    requested = sorted({normalise_nct_id(value) for value in nct_ids or []})
    scope, ids = plan(requested)
    run = None if fresh else resumable_run(scope)
    if run is not None:
        return actions.resume_run(run=run), True
    return actions.start_run(scope=scope, nct_ids=ids, requested=requested), False


def run_sync(
    *,
    run: PublicationSyncRun,
    client: PubMedClient,
    on_trial: Callable[[actions.TrialOutcome], None] | None = None,
) -> PublicationSyncRun:
    """Work through the run's remaining trials; finish it ready, or failed and re-raise."""
    requests_before = run.requests - client.requests_sent
    planned = run.planned
    try:
        while run.done < len(planned):
            group = planned[run.done : run.done + SEARCH_BATCH]
            for outcome in _sync_group(run=run, client=client, nct_ids=group, base=requests_before):
                if on_trial:
                    on_trial(outcome)
        if run.scope == ALL:
            _fill_placeholders(run=run, client=client)
        run.requests = requests_before + client.requests_sent
    except BaseException as exc:
        run.refresh_from_db()
        run.requests = requests_before + client.requests_sent
        actions.finish_run(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    return actions.finish_run(run=run)


def _sync_group(*, run, client, nct_ids: list[str], base: int) -> Iterable[actions.TrialOutcome]:
    problems: dict[str, list[dict]] = defaultdict(list)
    trials = {trial.nct_id: trial for trial in Trial.objects.filter(nct_id__in=nct_ids)}
    registry = {}
    for nct_id in nct_ids:
        registry[nct_id], found = actions.registry_references(trials.get(nct_id))
        problems[nct_id].extend(found)

    searched, readable = _search_group(client, nct_ids)
    linked = TrialPublication.objects.filter(nct_id__in=nct_ids)
    wanted = set(searched) | set(linked.values_list("publication__pmid", flat=True))
    wanted |= {pmid for pairs in registry.values() for pmid, _ in pairs}
    fetched, unreadable = fetch_isolating(client, sorted(wanted, key=int))

    si = _attribute(searched, fetched, nct_ids) if readable else None
    if si is None:
        si = _search_each(client, nct_ids, problems)
        extra = {pmid for pmids in si.values() for pmid in pmids} - set(fetched) - set(unreadable)
        more, more_unreadable = fetch_isolating(client, sorted(extra, key=int))
        fetched.update(more)
        unreadable.update(more_unreadable)

    for parsed in fetched.values():
        actions.store_publication(run=run, parsed=parsed)

    for nct_id in nct_ids:
        stated = [pmid for pmid, _ in registry[nct_id]] + si.get(nct_id, [])
        for pmid in dict.fromkeys(stated):
            if pmid in fetched:
                continue
            message = unreadable.get(pmid) or f"PubMed returned no record for PMID {pmid}"
            problems[nct_id].append({"nct_id": nct_id, "pmid": pmid, "message": message})
        run.requests = base + client.requests_sent
        yield actions.store_trial_links(
            run=run,
            nct_id=nct_id,
            registry=registry[nct_id],
            pubmed_si=si.get(nct_id, []),
            problems=problems[nct_id],
        )


def _search_group(client, nct_ids) -> tuple[list[str], bool]:
    """The group's [si] PMIDs, and whether that one search could be read (if not, each
    trial is searched on its own, and only the trials whose search fails have a problem)."""
    try:
        return client.search_si_any(nct_ids), True
    except PubMedBadResponse:
        return [], False


def _attribute(
    searched: list[str], fetched: dict[str, ParsedPublication], nct_ids: list[str]
) -> dict[str, list[str]] | None:
    """Which trial each PMID of an OR'ed search belongs to, from the records' DataBankList;
    None when some PMID cannot be placed (then each trial is searched on its own)."""
    if len(nct_ids) == 1:
        return {nct_ids[0]: list(searched)}
    group = set(nct_ids)
    found: dict[str, list[str]] = {nct_id: [] for nct_id in nct_ids}
    for pmid in searched:
        publication = fetched.get(pmid)
        owners = (
            [nct_id for nct_id in publication.nct_ids if nct_id in group] if publication else []
        )
        if not owners:
            return None
        for nct_id in dict.fromkeys(owners):
            found[nct_id].append(pmid)
    return found


def _search_each(client, nct_ids, problems) -> dict[str, list[str]]:
    found = {}
    for nct_id in nct_ids:
        try:
            found.update(client.search_si([nct_id]))
        except PubMedBadResponse as exc:
            problems[nct_id].append({"nct_id": nct_id, "pmid": "", "message": str(exc)})
    return found


def fetch_isolating(
    client: PubMedClient, pmids: list[str]
) -> tuple[dict[str, ParsedPublication], dict[str, str]]:
    """Fetch records; when an answer cannot be read, halve the batch until the unreadable
    records are found, so one bad record costs a few requests, not the whole group."""
    fetched: dict[str, ParsedPublication] = {}
    unreadable: dict[str, str] = {}

    def attempt(batch: list[str]) -> None:
        try:
            for publication in client.fetch(batch):
                fetched[publication.pmid] = publication
        except PubMedBadResponse as exc:
            if len(batch) == 1:
                unreadable[batch[0]] = str(exc)
                return
            middle = len(batch) // 2
            attempt(batch[:middle])
            attempt(batch[middle:])

    for batch in chunks(pmids, FETCH_BATCH):
        attempt(batch)
    return fetched, unreadable


def _fill_placeholders(*, run, client) -> None:
    """Read the records of papers added by PMID alone (in the admin) that no sync has read.

    Linked papers need no extra step: they are read with their trials."""
    unread = Publication.objects.filter(fetched_at__isnull=True, trial_links__isnull=True)
    pmids = sorted(unread.values_list("pmid", flat=True), key=int)
    if not pmids:
        return
    fetched, unreadable = fetch_isolating(client, pmids)
    for parsed in fetched.values():
        actions.store_publication(run=run, parsed=parsed)
    missing = [
        {
            "nct_id": "",
            "pmid": pmid,
            "message": unreadable.get(pmid) or f"PubMed returned no record for PMID {pmid}",
        }
        for pmid in pmids
        if pmid not in fetched
    ]
    if missing:
        actions.note_problems(run=run, problems=missing)


def describe(run: PublicationSyncRun) -> str:
    return _(
        "Trials checked %(trials)d, publications new %(new)d, updated %(updated)d, "
        "links new %(links)d, removed %(removed)d, errors %(errors)d, requests to PubMed "
        "%(requests)d."
    ) % {
        "trials": run.trials_checked,
        "new": run.publications_new,
        "updated": run.publications_updated,
        "links": run.links_new,
        "removed": run.links_removed,
        "errors": run.errors,
        "requests": run.requests,
    }
