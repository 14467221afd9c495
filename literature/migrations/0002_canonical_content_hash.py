"""Publication hashes move to the one canonical JSON spelling (`core.canonical.content_hash`).

They were taken over `json.dumps(sort_keys=True, ensure_ascii=False)` with the default
", " and ": " separators. A stored hash that the old spelling reproduces from the stored
fields is replaced by the canonical hash of the same fields, so the next sync does not count
every paper as updated; one it does not reproduce is left alone (the next sync rewrites it).
"""

import hashlib
import json

from django.db import migrations

from core.canonical import content_hash

FIELDS = (
    "pmid",
    "title",
    "journal",
    "journal_abbreviation",
    "pub_date",
    "year",
    "authors",
    "doi",
    "abstract",
    "publication_types",
    "databank_accessions",
    "is_retracted",
    "retraction_notices",
    "erratum_notices",
)


def _legacy_hash(fields):
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _rehash(apps, old, new):
    Publication = apps.get_model("literature", "Publication")
    changed = []
    for publication in Publication.objects.exclude(content_hash="").only(
        "id", "content_hash", *FIELDS
    ).iterator(chunk_size=500):
        fields = {name: getattr(publication, name) for name in FIELDS}
        if publication.content_hash == old(fields):
            publication.content_hash = new(fields)
            changed.append(publication)
        if len(changed) >= 500:
            Publication.objects.bulk_update(changed, ["content_hash"])
            changed = []
    Publication.objects.bulk_update(changed, ["content_hash"])


def forwards(apps, schema_editor):
    _rehash(apps, _legacy_hash, content_hash)


def backwards(apps, schema_editor):
    _rehash(apps, content_hash, _legacy_hash)


class Migration(migrations.Migration):
    dependencies = [("literature", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
