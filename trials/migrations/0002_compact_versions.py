"""Store each version's raw document compressed (raw DEFLATE) instead of as text, and its
fields as canonical JSON (ADR 0005).

Existing documents are compressed in place, a few hundred rows at a time; the reverse
migration restores the text. Fields already stored keep their spelling (same values).
"""

import zlib

from django.db import migrations, models

import core.canonical

BATCH = 500


def _deflate(text: str) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    return packer.compress(text.encode("utf-8")) + packer.flush()


def _inflate(data) -> str:
    unpacker = zlib.decompressobj(-15)
    return (unpacker.decompress(bytes(data)) + unpacker.flush()).decode("utf-8")


def _convert(apps, source: str, target: str, convert) -> None:
    TrialVersion = apps.get_model("trials", "TrialVersion")
    ids = list(TrialVersion.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        rows = list(TrialVersion.objects.filter(id__in=ids[start : start + BATCH]).only(source))
        for row in rows:
            setattr(row, target, convert(getattr(row, source)))
        TrialVersion.objects.bulk_update(rows, [target])


def compress(apps, schema_editor):
    _convert(apps, "raw_document", "raw_deflated", _deflate)


def decompress(apps, schema_editor):
    _convert(apps, "raw_deflated", "raw_document", _inflate)


class Migration(migrations.Migration):
    dependencies = [("trials", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="trialversion",
            name="fields",
            field=models.JSONField(
                encoder=core.canonical.CanonicalJSONEncoder, verbose_name="normalised fields"
            ),
        ),
        migrations.AddField(
            model_name="trialversion",
            name="raw_deflated",
            field=models.BinaryField(
                default=b"",
                help_text="The document exactly as the registry sent it, compressed (raw DEFLATE).",
                verbose_name="raw document (compressed)",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="trialversion",
            name="raw_document",
            field=models.TextField(default="", verbose_name="raw document"),
        ),
        migrations.RunPython(compress, decompress, elidable=False),
        migrations.RemoveField(model_name="trialversion", name="raw_document"),
    ]
