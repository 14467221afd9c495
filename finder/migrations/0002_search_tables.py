"""Full-text search structures for the trial index, one kind per database.

SQLite: an FTS5 table over the entry table's token columns (external content, row id
`fts_rowid`), kept in step by triggers, so every write to an entry (including the cascade when
a trial is deleted) updates the search index. PostgreSQL: a generated tsvector column with a
GIN index. Other databases get neither and the finder falls back to a plain scan.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE finder_trial_fts USING fts5(
        title_tokens, body_tokens,
        content='finder_trialindexentry', content_rowid='fts_rowid',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER finder_trial_fts_ai AFTER INSERT ON finder_trialindexentry BEGIN
        INSERT INTO finder_trial_fts(rowid, title_tokens, body_tokens)
        VALUES (new.fts_rowid, new.title_tokens, new.body_tokens);
    END""",
    """CREATE TRIGGER finder_trial_fts_ad AFTER DELETE ON finder_trialindexentry BEGIN
        INSERT INTO finder_trial_fts(finder_trial_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.fts_rowid, old.title_tokens, old.body_tokens);
    END""",
    """CREATE TRIGGER finder_trial_fts_au AFTER UPDATE ON finder_trialindexentry BEGIN
        INSERT INTO finder_trial_fts(finder_trial_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.fts_rowid, old.title_tokens, old.body_tokens);
        INSERT INTO finder_trial_fts(rowid, title_tokens, body_tokens)
        VALUES (new.fts_rowid, new.title_tokens, new.body_tokens);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS finder_trial_fts_au",
    "DROP TRIGGER IF EXISTS finder_trial_fts_ad",
    "DROP TRIGGER IF EXISTS finder_trial_fts_ai",
    "DROP TABLE IF EXISTS finder_trial_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE finder_trialindexentry ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', coalesce(title_tokens, '')), 'A')
            || setweight(to_tsvector('simple', coalesce(body_tokens, '')), 'B')
        ) STORED""",
    "CREATE INDEX finder_entry_search ON finder_trialindexentry USING GIN (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS finder_entry_search",
    "ALTER TABLE finder_trialindexentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("finder", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
