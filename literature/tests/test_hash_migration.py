"""Migration 0002 moves stored publication hashes to the canonical spelling, and back."""

import hashlib
import importlib
import json

import pytest
from django.apps import apps

from core.canonical import content_hash
from literature.models import Publication

migration = importlib.import_module("literature.migrations.0002_canonical_content_hash")

FIELDS = {
    "pmid": "29768149",
    "title": "Autologous stem cell transplantation",
    "journal": "N Engl J Med",
    "journal_abbreviation": "N Engl J Med",
    "pub_date": "2018-01-04",
    "year": 2018,
    "authors": ["Sullivan KM", "Goldmuntz EA"],
    "doi": "10.1056/NEJMoa1703327",
    "abstract": "硬皮病",
    "publication_types": ["Journal Article"],
    "databank_accessions": [{"databank": "ClinicalTrials.gov", "accession": "NCT00114530"}],
    "is_retracted": False,
    "retraction_notices": [],
    "erratum_notices": [],
}


def legacy(fields):
    spelled = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(spelled.encode("utf-8")).hexdigest()


@pytest.mark.django_db
def test_hashes_the_old_spelling_reproduces_are_rewritten_others_are_left():
    old = Publication.objects.create(**FIELDS, content_hash=legacy(FIELDS))
    other = {**FIELDS, "pmid": "1", "title": "edited since"}
    stale = Publication.objects.create(**other, content_hash="f" * 64)
    empty = Publication.objects.create(pmid="2")

    migration.forwards(apps, None)
    old.refresh_from_db()
    stale.refresh_from_db()
    empty.refresh_from_db()
    assert old.content_hash == content_hash(FIELDS) != legacy(FIELDS)
    assert (stale.content_hash, empty.content_hash) == ("f" * 64, "")

    migration.backwards(apps, None)
    old.refresh_from_db()
    assert old.content_hash == legacy(FIELDS)
