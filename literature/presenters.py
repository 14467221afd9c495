"""Shape a trial's publications for its card: results first, background apart.

Reads stored links only (never PubMed). A paper linked several ways is shown once; it is a
result if any of its links says so, and a retracted paper keeps its place, marked retracted,
because readers may meet it elsewhere and need to know.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from literature.models import TrialPublication


@dataclass
class PublicationRow:
    pmid: str
    title: str
    journal: str
    year: int | None
    url: str
    is_retracted: bool = False
    sources: list[str] = field(default_factory=list)


@dataclass
class TrialPublications:
    results: list[PublicationRow] = field(default_factory=list)
    background: list[PublicationRow] = field(default_factory=list)


def publications_for_trial(nct_id: str) -> TrialPublications:
    return publications_from_links(trial_links(nct_id))


def trial_links(nct_id: str):
    """The trial's stored links with their publications, in the order the card reads them."""
    return TrialPublication.objects.for_trial(nct_id).select_related("publication")


def publications_from_links(links: Iterable) -> TrialPublications:
    """The card's rows from links already read (`TrialPublication`s with their publication,
    in `trial_links` order); no queries, so one read serves the card and its flags."""
    rows: dict[int, PublicationRow] = {}
    is_result: dict[int, bool] = {}
    for link in links:
        publication = link.publication
        row = rows.get(publication.pk)
        if row is None:
            row = rows[publication.pk] = PublicationRow(
                pmid=publication.pmid,
                title=publication.title or f"PMID {publication.pmid}",
                journal=publication.journal_abbreviation or publication.journal,
                year=publication.year,
                url=publication.url,
                is_retracted=publication.is_retracted,
            )
        row.sources.append(str(link.get_provenance_display()))
        is_result[publication.pk] = is_result.get(publication.pk, False) or link.is_result
    found = TrialPublications()
    for key, row in sorted(rows.items(), key=lambda item: _order(item[1])):
        (found.results if is_result[key] else found.background).append(row)
    return found


def _order(row: PublicationRow):
    """Newest first; undated placeholders last."""
    return (-(row.year or 0), -int(row.pmid))
