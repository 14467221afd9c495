"""Which links count as results, and how links find their trial."""

import pytest
from django.utils import translation

from literature.models import Provenance, Publication, TrialPublication


@pytest.mark.parametrize(
    ("provenance", "is_result"),
    [
        (Provenance.REGISTRY_RESULT, True),
        (Provenance.REGISTRY_DERIVED, True),  # ClinicalTrials.gov's own [si]-style link
        (Provenance.PUBMED_SI, True),
        (Provenance.EDITOR, True),
        (Provenance.REGISTRY_BACKGROUND, False),
    ],
)
def test_result_provenances(provenance, is_result):
    assert TrialPublication(provenance=provenance).is_result is is_result


@pytest.mark.django_db
def test_results_and_background_querysets():
    paper = Publication.objects.create(pmid="29768149")
    other = Publication.objects.create(pmid="9997")
    TrialPublication.objects.create(
        nct_id="NCT02149199", publication=paper, provenance=Provenance.REGISTRY_DERIVED
    )
    TrialPublication.objects.create(
        nct_id="NCT02149199", publication=other, provenance=Provenance.REGISTRY_BACKGROUND
    )
    links = TrialPublication.objects.for_trial(" nct02149199 ")
    assert [link.publication.pmid for link in links.results()] == ["29768149"]
    assert [link.publication.pmid for link in links.background()] == ["9997"]
    with translation.override("en"):
        assert str(links.results().get()) == (
            "NCT02149199 ↔ PMID 29768149 (ClinicalTrials.gov reference: found by PubMed)"
        )
    assert paper.url == "https://pubmed.ncbi.nlm.nih.gov/29768149/"
