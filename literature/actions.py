"""Every write to publications and trial–publication links goes through here.

A publication is stored in its own transaction; a trial's links are stored in the same
transaction that moves the run's cursor past the trial. A run killed anywhere therefore leaves
whole records only, and resumes at the first trial whose links it had not stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from core.canonical import content_hash
from core.identifiers import is_nct_id, normalise_nct_id
from literature.models import (
    REGISTRY_PROVENANCES,
    Provenance,
    Publication,
    PublicationSyncRun,
    TrialPublication,
)
from literature.sources.pubmed import PMID, ParsedPublication
from trials.models import Trial

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"

MAX_PROBLEMS_KEPT = 500
COUNTERS = PublicationSyncRun.COUNTS


class LinkExists(ValueError):
    """An editor tried to add a link that is already there."""


@dataclass
class TrialOutcome:
    """What one trial's turn in a sync found: for the progress line and the tests."""

    nct_id: str
    trial_stored: bool
    results: int = 0
    background: int = 0
    links_new: int = 0
    links_removed: int = 0
    problems: list[dict] = field(default_factory=list)


def start_run(*, scope: str, nct_ids: list[str], requested: list[str] | None = None):
    return PublicationSyncRun.objects.create(
        key=f"publications:{timezone.now():%Y%m%dT%H%M%S}:{uuid.uuid4().hex[:8]}",
        scope=scope,
        parameters={"nct_ids": list(nct_ids), "requested": list(requested or [])},
        cursor={"done": 0},
    )


@transaction.atomic
def resume_run(*, run: PublicationSyncRun) -> PublicationSyncRun:
    run.start()
    return run


@transaction.atomic
def finish_run(*, run: PublicationSyncRun, error: str = "") -> PublicationSyncRun:
    """Close the run, `failed` with the error if there is one, with its counts and problems."""
    if error:
        run.fail(error, fields=["problems", *COUNTERS])
    else:
        run.finish(fields=["problems", *COUNTERS])
    return run


def _note_problems(run: PublicationSyncRun, problems: list[dict]) -> None:
    run.errors += len(problems)
    room = MAX_PROBLEMS_KEPT - len(run.problems)
    if room > 0:
        run.problems = [*run.problems, *problems[:room]]


@transaction.atomic
def note_problems(*, run: PublicationSyncRun, problems: list[dict]) -> None:
    """Record problems that belong to no single trial (e.g. an unreadable editor's PMID)."""
    _note_problems(run, problems)
    run.save(update_fields=["problems", "errors"])


@transaction.atomic
def store_publication(*, run: PublicationSyncRun | None, parsed: ParsedPublication) -> str:
    """Store one PubMed record; say whether it is new, updated or unchanged.

    A record seen again with the same fields only moves `fetched_at`: PubMed revises records
    often (MeSH terms, dates) and only changes to what the handbook uses count as updates.
    A retraction notice added later is such a change.
    """
    digest = content_hash(parsed.fields())
    publication, created = Publication.objects.select_for_update().get_or_create(pmid=parsed.pmid)
    if created or not publication.content_hash:
        status = NEW
    elif publication.content_hash != digest:
        status = UPDATED
    else:
        status = UNCHANGED
    publication.fetched_at = timezone.now()
    if status == UNCHANGED:
        publication.save(update_fields=["fetched_at"])
    else:
        for name, value in parsed.fields().items():
            setattr(publication, name, value)
        publication.raw_xml = parsed.raw_xml
        publication.content_hash = digest
        publication.save()
    if run is not None and status != UNCHANGED:
        if status == NEW:
            run.publications_new += 1
        else:
            run.publications_updated += 1
        run.save(update_fields=["publications_new", "publications_updated"])
    return status


def registry_references(trial: Trial | None) -> tuple[list[tuple[str, str]], list[dict]]:
    """(PMID, provenance) pairs from the trial's registry references, and problems found.

    References without a PMID (a citation only) cannot become links; the card still shows them
    among the registry's references. An unknown reference type is treated as background, so it
    is never presented as a result.
    """
    pairs, problems = [], []
    for reference in trial.references if trial else []:
        pmid = str(reference.get("pmid") or "").strip()
        if not pmid:
            continue
        if not PMID.match(pmid):
            problems.append(
                {
                    "nct_id": trial.nct_id,
                    "pmid": pmid,
                    "message": f"the registry cites an unreadable PMID {pmid!r}",
                }
            )
            continue
        kind = str(reference.get("type") or "").upper()
        provenance = REGISTRY_PROVENANCES.get(kind, Provenance.REGISTRY_BACKGROUND)
        if (pmid, provenance) not in pairs:
            pairs.append((pmid, provenance))
    return pairs, problems


@transaction.atomic
def store_trial_links(
    *,
    run: PublicationSyncRun,
    nct_id: str,
    registry: list[tuple[str, str]],
    pubmed_si: list[str],
    problems: list[dict],
) -> TrialOutcome:
    """Store one trial's links and move the run past the trial, all or nothing.

    Registry links mirror the registry record as it stands: a reference the registry dropped
    loses its link (the record's history keeps it). Links found by PubMed's [si] are kept once
    made, so a search that comes back short one day cannot strip a card, and an editor's links
    are never touched by a sync. A PMID whose record PubMed did not give still gets its link
    (to a placeholder filled in by a later sync), so no link the sources stated is lost.
    """
    nct_id = normalise_nct_id(nct_id)
    trial_stored = Trial.objects.filter(nct_id=nct_id).exists()
    outcome = TrialOutcome(nct_id=nct_id, trial_stored=trial_stored, problems=list(problems))
    wanted = [(pmid, provenance) for pmid, provenance in registry]
    wanted += [(pmid, Provenance.PUBMED_SI) for pmid in pubmed_si]
    keep_registry = set()
    for pmid, provenance in wanted:
        publication, _ = Publication.objects.get_or_create(pmid=pmid)
        link, created = TrialPublication.objects.get_or_create(
            nct_id=nct_id, publication=publication, provenance=provenance
        )
        if created:
            outcome.links_new += 1
        if provenance != Provenance.PUBMED_SI:
            keep_registry.add(link.pk)
    if trial_stored:
        stale = TrialPublication.objects.filter(
            nct_id=nct_id, provenance__in=list(REGISTRY_PROVENANCES.values())
        ).exclude(pk__in=keep_registry)
        outcome.links_removed, _ = stale.delete()
    links = TrialPublication.objects.filter(nct_id=nct_id)
    result_pmids = set(links.results().values_list("publication__pmid", flat=True))
    all_pmids = set(links.values_list("publication__pmid", flat=True))
    outcome.results = len(result_pmids)
    outcome.background = len(all_pmids - result_pmids)

    run.trials_checked += 1
    run.links_new += outcome.links_new
    run.links_removed += outcome.links_removed
    _note_problems(run, outcome.problems)
    run.cursor = {**run.cursor, "done": run.done + 1}
    run.save(update_fields=["cursor", "problems", *COUNTERS])
    return outcome


@transaction.atomic
def add_editor_link(*, nct_id: str, pmid: str, note: str, user=None) -> TrialPublication:
    """Link a paper to a trial on an editor's word, with the editor's note.

    Neither the trial record nor the PubMed record need be stored yet: the publication is
    created as a placeholder and the next sync fills it in from PubMed.
    """
    nct_id = normalise_nct_id(nct_id)
    pmid = str(pmid).strip()
    if not is_nct_id(nct_id):
        raise ValueError(f"not an NCT number: {nct_id!r}")
    if not PMID.match(pmid):
        raise ValueError(f"not a PMID: {pmid!r}")
    publication, _ = Publication.objects.get_or_create(pmid=pmid)
    link, created = TrialPublication.objects.get_or_create(
        nct_id=nct_id,
        publication=publication,
        provenance=Provenance.EDITOR,
        defaults={"note": note.strip(), "created_by": user},
    )
    if not created:
        raise LinkExists(f"{nct_id} is already linked to PMID {pmid} by an editor")
    return link
