"""The bulk import of the registry's `ctg-studies.json.zip`: batched, parallel, resumable.

Storing one document at a time (`actions.store_document`) costs a transaction, a row lock,
version look-ups and a site rebuild per study, about 10 ms: 600,000 studies would take well
over an hour. Nearly every study of a first bulk import is a trial the database has never
seen, and for those the outcome is known without asking: one version, current, `new`. So:

- worker processes read and parse the archive's members (`bulk_parse`) while this process
  writes; at most a few chunks are in flight, so memory stays flat;
- members are written in batches, each in one transaction together with the run's counters
  and its cursor (the archive's directory position after the batch), so an import killed
  anywhere resumes after the last committed batch, storing nothing twice;
- in a batch, studies whose trial does not exist yet and which appear only once in the batch
  are inserted with a few multi-row statements; every other member (an existing trial, a
  trial twice in the batch, a rejected document) goes through the per-document
  `actions.store_document` / `reject_document`, in archive order, inside the same
  transaction. The stored rows are the same either way (`trials/tests/test_bulk_path.py`);
- `trials_stored` is sent after each committed batch with its new and changed trials.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trials import actions
from trials.bulk_parse import (
    ChunkParser,
    Parsed,
    Rejected,
    init_worker,
    is_study_member,
    parse_chunk,
)
from trials.models import SyncRun, Trial, TrialLocation, TrialVersion
from trials.records import LOCATION_FIELDS, RECORD_FIELDS, RecordError
from trials.sources.zip_members import ArchiveError, Member, iter_members

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
CHUNK_SIZE = 250
IN_CLAUSE = 500
COUNTERS = SyncRun.COUNTS


def default_workers() -> int:
    """One parser per core: parsing is most of the work, and the writer mostly waits on it."""
    return max(1, min(os.cpu_count() or 1, 4))


def archive_identity(path) -> dict:
    """What makes a later invocation "the same import": the same file, unchanged."""
    stat = Path(path).stat()
    return {"path": str(Path(path).resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def start_or_resume(*, path, restart: bool = False) -> tuple[SyncRun, bool]:
    """The unfinished bulk run of this very archive, to resume; otherwise a new run.

    An import killed or failed part-way is taken up at its cursor. With `restart`, the old
    run is marked failed (abandoned) and the archive is read from the start; that is safe,
    because a document already stored is recognised as unchanged.
    """
    identity = archive_identity(path)
    previous = None
    for run in SyncRun.objects.filter(kind=SyncRun.Kind.BULK).order_by("-started_at").iterator():
        if run.parameters.get("archive") == identity:
            previous = run
            break
    if previous is not None and not previous.is_ready:
        if not restart:
            return actions.resume_run(run=previous), True
        actions.finish_run(
            run=previous, error=previous.error or "abandoned: the archive was imported again"
        )
    run = actions.start_run(
        kind=SyncRun.Kind.BULK, parameters={"paths": [str(path)], "archive": identity}
    )
    run.cursor = {"members": 0}
    run.save(update_fields=["cursor"])
    return run, False


def remaining(*, run: SyncRun, path) -> int:
    """How many study members are still to read (for the progress bar's ETA)."""
    start = run.cursor.get("members", 0)
    try:
        return sum(1 for member in iter_members(path, start=start) if is_study_member(member))
    except (OSError, ArchiveError):
        return 0


def import_archive(
    *,
    run: SyncRun,
    path,
    workers: int | None = None,
    batch_size: int = BATCH_SIZE,
    chunk_size: int = CHUNK_SIZE,
    on_outcome: Callable[[actions.Outcome], None] | None = None,
    on_batch: Callable[[SyncRun], None] | None = None,
    stats: dict | None = None,
) -> SyncRun:
    """Import the archive from the run's cursor on; the run ends `ready` or `failed`.

    `stats`, if given, receives how many studies took the batched path (`batched`) and how
    many the per-document one (`per_document`), and the seconds this process spent waiting
    for parsed members (`waiting_seconds`) and writing them (`writing_seconds`): which of
    the two sides limits the import.
    """
    name = str(Path(path))
    workers = default_workers() if workers is None else workers
    stats = {} if stats is None else stats
    for key in ("batched", "per_document", "waiting_seconds", "writing_seconds"):
        stats.setdefault(key, 0)
    writer = _Writer(run, stats)
    batches = _batches(name, run.cursor.get("members", 0), workers, batch_size, chunk_size)
    try:
        with tuned_for_import():
            waited = time.monotonic()
            for items, position in batches:
                started = time.monotonic()
                stats["waiting_seconds"] += started - waited
                outcomes = writer.write(items, cursor={**run.cursor, "members": position})
                waited = time.monotonic()
                stats["writing_seconds"] += waited - started
                if on_outcome:
                    for outcome in outcomes:
                        on_outcome(outcome)
                if on_batch:
                    on_batch(run)
    except BaseException as exc:
        run.refresh_from_db(fields=[*COUNTERS, "cursor"])
        actions.finish_run(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        batches.close()
    return actions.finish_run(run=run)


def _batches(
    path: str, start: int, workers: int, batch_size: int, chunk_size: int
) -> Iterator[tuple[list[Parsed | Rejected], int]]:
    """Parsed members in archive order, in batches, each with the directory position after it."""
    items: list[Parsed | Rejected] = []
    position = start
    for chunk, position in _parsed_chunks(path, start, workers, chunk_size):
        items.extend(chunk)
        if len(items) >= batch_size:
            yield items, position
            items = []
    if items or position != start:
        yield items, position


def _parsed_chunks(path: str, start: int, workers: int, chunk_size: int):
    columns = trial_columns()
    chunks = _member_chunks(path, start, chunk_size)
    if workers <= 0:
        parser = ChunkParser(path, columns)
        try:
            for members, position, problem in chunks:
                yield parser(members) + ([problem] if problem else []), position
        finally:
            parser.close()
        return
    # A fresh interpreter per worker ("spawn"): nothing of this process (its database
    # connection, its threads) is inherited. A worker that dies makes the pool broken, and
    # the import fails with that error instead of waiting for it forever.
    executor = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(path, columns),
    )
    try:
        pending: deque = deque()
        for members, position, problem in chunks:
            pending.append((executor.submit(parse_chunk, members), position, problem))
            if len(pending) > 2 * workers:
                yield _collect(*pending.popleft())
        while pending:
            yield _collect(*pending.popleft())
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _collect(future, position, problem):
    return future.result() + ([problem] if problem else []), position


def _member_chunks(
    path: str, start: int, chunk_size: int
) -> Iterator[tuple[list[Member], int, Rejected | None]]:
    """Study members in chunks; an archive whose directory cannot be read (any further)
    ends with a rejection naming the archive, as the per-document path does."""
    chunk: list[Member] = []
    position = start
    try:
        for member in iter_members(path, start=start):
            position = member.index + 1
            if is_study_member(member):
                chunk.append(member)
                if len(chunk) >= chunk_size:
                    yield chunk, position, None
                    chunk = []
    except (OSError, ArchiveError) as exc:
        reason = f"not a readable zip archive ({exc})"
        yield chunk, position, Rejected(-1, path, reason, "", b"")
        return
    if chunk or position != start:
        yield chunk, position, None


def trial_columns() -> list[tuple[str, bool, bool]]:
    """The Trial columns a record fills, as (name, is JSON, keeps None): the parser's spec."""
    fields = {field.name: field for field in Trial._meta.concrete_fields}
    return [
        (name, isinstance(fields[name], models.JSONField), name in actions.NULLABLE_FIELDS)
        for name in RECORD_FIELDS
        if name in fields and name not in ("nct_id", "locations")
    ]


class _Writer:
    """Writes batches for one run: new trials with multi-row statements, the rest one by one."""

    def __init__(self, run: SyncRun, stats: dict):
        self.run = run
        self.stats = stats
        self.columns = trial_columns()
        self.dates: dict[str, object] = {}
        quote = connection.ops.quote_name
        postgres = connection.vendor == "postgresql"
        trials = quote(Trial._meta.db_table)
        versions = quote(TrialVersion._meta.db_table)
        self.trial_rows = _RowInsert(
            Trial, ["nct_id", *(name for name, _, _ in self.columns), "record_date", "updated_at"]
        )
        self.version_rows = _RowInsert(
            TrialVersion,
            [
                "trial",
                "run",
                "source_format",
                "source",
                "raw_deflated",
                "content_hash",
                "fields",
                "snapshot_date",
                "last_seen_date",
                "registry_last_update",
                "data_timestamp",
                "fetched_at",
            ],
        )
        self.select_trials = f"SELECT nct_id, id FROM {trials} WHERE nct_id IN "
        self.set_current = (
            f"UPDATE {trials} SET {quote('current_version_id')} = (SELECT v.id FROM {versions} v "
            f"WHERE v.trial_id = {trials}.id) WHERE id IN "
        )
        location_columns = ", ".join(
            quote(TrialLocation._meta.get_field(name).column)
            for name in ("trial", "position", *LOCATION_FIELDS)
        )
        if postgres:
            sites = ", ".join(f"site.value->>'{name}'" for name in LOCATION_FIELDS)
            self.insert_locations = (
                f"INSERT INTO {quote(TrialLocation._meta.db_table)} ({location_columns}) "
                f"SELECT v.trial_id, site.ordinality - 1, {sites} FROM {versions} v CROSS JOIN "
                "LATERAL jsonb_array_elements(v.fields->'locations') WITH ORDINALITY "
                "AS site(value, ordinality) WHERE v.trial_id IN "
            )
        else:
            sites = ", ".join(f"json_extract(site.value, '$.{name}')" for name in LOCATION_FIELDS)
            self.insert_locations = (
                f"INSERT INTO {quote(TrialLocation._meta.db_table)} ({location_columns}) "
                f"SELECT v.trial_id, site.key, {sites} FROM {versions} v, "
                "json_each(v.fields, '$.locations') site WHERE v.trial_id IN "
            )

    def write(self, items: list[Parsed | Rejected], *, cursor: dict) -> list[actions.Outcome]:
        """Store one batch and move the cursor past it, all in one transaction.

        Should another process store one of the batch's new trials between the look-up and
        the insert, the insert fails on the unique NCT number; the batch is then rolled back
        and stored again document by document, which handles that case.
        """
        saved = {name: getattr(self.run, name) for name in COUNTERS}
        try:
            return self._write(items, cursor=cursor, batched=True)
        except IntegrityError:
            for name, value in saved.items():
                setattr(self.run, name, value)
            return self._write(items, cursor=cursor, batched=False)

    @transaction.atomic
    def _write(self, items, *, cursor: dict, batched: bool) -> list[actions.Outcome]:
        run = self.run
        new = self._new_trials(items) if batched else {}
        if new:
            self._insert(list(new.values()))
        outcomes = []
        for item in items:
            if item.index in new and isinstance(item, Parsed):
                outcome = actions.Outcome(
                    status=actions.NEW, source=item.source, nct_id=item.nct_id
                )
            elif isinstance(item, Rejected):
                outcome = actions.reject_document(
                    run=run,
                    source=item.source,
                    reason=item.reason,
                    nct_id=item.nct_hint,
                    raw=item.excerpt,
                )
            else:
                try:
                    outcome = actions.store_document(
                        run=run, document=item.document(), source=item.source
                    )
                except RecordError as exc:
                    outcome = actions.reject_document(
                        run=run,
                        source=item.source,
                        reason=str(exc),
                        nct_id=item.nct_hint,
                        raw=item.excerpt,
                    )
            outcomes.append(outcome)
        run.seen += len(new)
        run.new += len(new)
        run.cursor = cursor
        run.save(update_fields=["cursor", *COUNTERS])
        actions.announce_stored(
            outcome.nct_id for outcome in outcomes if outcome.status in actions.STORED_STATUSES
        )
        self.stats["batched"] += len(new)
        self.stats["per_document"] += len(items) - len(new)
        return outcomes

    def _new_trials(self, items) -> dict[int, Parsed]:
        """The batch's studies of trials not stored yet that appear only once in the batch."""
        documents = [item for item in items if isinstance(item, Parsed)]
        counts = Counter(document.nct_id for document in documents)
        candidates = [document for document in documents if counts[document.nct_id] == 1]
        existing = self._ids(self.select_trials, [document.nct_id for document in candidates])
        return {
            document.index: document for document in candidates if document.nct_id not in existing
        }

    def _insert(self, documents: list[Parsed]) -> None:
        """Insert new trials, their one version each, and their sites.

        The sites are taken out of the version's stored fields by the database's JSON
        functions (the per-document path builds them from the same fields), which spares
        building and sending some 45 rows per study through Python.
        """
        now = timezone.now()
        updated = Trial._meta.get_field("updated_at").get_db_prep_save(now, connection)
        fetched = TrialVersion._meta.get_field("fetched_at").get_db_prep_save(now, connection)
        day = self._day
        with quiet_cursor() as cursor:
            self.trial_rows.run(
                cursor,
                [
                    (document.nct_id, *document.trial_values, day(document.snapshot_date), updated)
                    for document in documents
                ],
            )
            trial_ids = self._ids(self.select_trials, [document.nct_id for document in documents])
            self.version_rows.run(
                cursor,
                [
                    (
                        trial_ids[document.nct_id],
                        self.run.pk,
                        document.source_format,
                        document.source[:500],
                        document.raw_deflated,
                        document.content_hash,
                        document.fields_json,
                        day(document.snapshot_date),
                        day(document.snapshot_date),
                        document.registry_last_update,
                        document.data_timestamp,
                        fetched,
                    )
                    for document in documents
                ],
            )
            ids = list(trial_ids.values())
            for start in range(0, len(ids), IN_CLAUSE):
                part = ids[start : start + IN_CLAUSE]
                placeholders = "(" + ", ".join(["%s"] * len(part)) + ")"
                cursor.execute(self.set_current + placeholders, part)
                cursor.execute(self.insert_locations + placeholders, part)

    def _ids(self, select: str, keys: list) -> dict:
        found = {}
        with quiet_cursor() as cursor:
            for start in range(0, len(keys), IN_CLAUSE):
                part = keys[start : start + IN_CLAUSE]
                cursor.execute(select + "(" + ", ".join(["%s"] * len(part)) + ")", part)
                found.update(cursor.fetchall())
        return found

    def _day(self, iso: str):
        value = self.dates.get(iso)
        if value is None:
            value = self.dates[iso] = TrialVersion._meta.get_field(
                "snapshot_date"
            ).get_db_prep_save(dt.date.fromisoformat(iso), connection)
        return value


def quiet_cursor():
    """A cursor that never logs its statements, whatever DEBUG says.

    Under DEBUG Django keeps the last 9,000 statements with their parameters spelled out
    (on SQLite by asking the database to quote each one): for statements that carry
    hundreds of whole documents that is hundreds of megabytes and much of the time.
    """
    connection.ensure_connection()
    return connection.make_cursor(connection.create_cursor())


@contextmanager
def tuned_for_import():
    """The import connection's settings for the duration of the import (see below)."""
    if connection.vendor == "sqlite":
        with sqlite_tuned_for_import():
            yield
    elif connection.vendor == "postgresql":
        with postgres_tuned_for_import():
            yield
    else:
        yield


@contextmanager
def postgres_tuned_for_import():
    """On PostgreSQL: compress the stored documents with LZ4 rather than the default pglz.

    The version's raw document and normalised fields (tens of kilobytes each) are compressed
    by the server when stored ("TOAST"); with pglz that was over half of the import's time
    on the server, LZ4 takes a fraction of it. The setting is the session's own, is read back
    transparently by every reader, and is restored afterwards; a server built without LZ4
    keeps its default.
    """
    with quiet_cursor() as cursor:
        cursor.execute(
            "SELECT setting, 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        if row is not None and row[1]:
            cursor.execute("SET default_toast_compression = lz4")
    if row is None or not row[1]:
        yield
        return
    previous = row[0]
    try:
        yield
    finally:
        try:
            with quiet_cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('default_toast_compression', %s, false)", [previous]
                )
        except DatabaseError as exc:  # the connection is gone: so is the session's setting
            logger.warning("could not restore default_toast_compression: %s", exc)


@contextmanager
def sqlite_tuned_for_import():
    """On SQLite in WAL mode: a 64 MB page cache, and WAL checkpoints off the writer's path.

    A checkpoint copies the write-ahead log into the database file and waits for the disk;
    done by the writer itself (SQLite's default, every 1,000 pages) it stalls the import a
    third of the time. Here a background thread with its own connection checkpoints
    passively (it never blocks the writer) every half second, and automatic checkpoints
    are back on when the import ends. Other databases are left as they are.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with quiet_cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size")
        cache = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint")
        autocheckpoint = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -65536")
    database = connection.settings_dict["NAME"]
    checkpointer = None
    if journal == "wal" and database and str(database) != ":memory:":
        with quiet_cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        checkpointer = _Checkpointer(str(database))
        checkpointer.start()
    try:
        yield
    finally:
        if checkpointer is not None:
            checkpointer.stop()
        if connection.connection is not None:
            with quiet_cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(cache)}")
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")


class _Checkpointer(threading.Thread):
    def __init__(self, database: str):
        super().__init__(name="sqlite-checkpoint", daemon=True)
        self.database = database
        self.stopping = threading.Event()

    def run(self) -> None:
        import sqlite3

        db = sqlite3.connect(self.database, timeout=1, check_same_thread=False)
        try:
            while not self.stopping.wait(0.5):
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:
                    logger.warning("WAL checkpoint failed, trying again: %s", exc)
        finally:
            db.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join()


class _RowInsert:
    """Many rows into one table at once: `COPY` on PostgreSQL, multi-row `INSERT` on SQLite.

    A statement per row costs a statement step (SQLite) or a round trip and the quoting of
    every value as a literal (psycopg's client-side binding) per row; `COPY` streams rows
    in the server's text format, and SQLite inserts about a third faster with many rows
    per statement.
    """

    MAX_PARAMS = 999  # SQLite's historical default limit

    def __init__(self, model, names: list[str]):
        quote = connection.ops.quote_name
        fields = [model._meta.get_field(name) for name in names]
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(field.column) for field in fields)
        self.copy = (
            f"COPY {table} ({columns}) FROM STDIN" if connection.vendor == "postgresql" else ""
        )
        self.per_statement = max(1, self.MAX_PARAMS // len(fields))
        self.head = f"INSERT INTO {table} ({columns}) VALUES "
        self.row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        self.full = self.statement(self.per_statement)

    def statement(self, rows: int) -> str:
        return self.head + ", ".join([self.row] * rows)

    def run(self, cursor, rows: list[tuple]) -> None:
        if self.copy:
            with connection.wrap_database_errors, cursor.cursor.copy(self.copy) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        step = self.per_statement
        whole = len(rows) - len(rows) % step
        if whole:
            cursor.executemany(
                self.full,
                [
                    [value for row in rows[start : start + step] for value in row]
                    for start in range(0, whole, step)
                ],
            )
        if whole < len(rows):
            rest = rows[whole:]
            cursor.execute(self.statement(len(rest)), [value for row in rest for value in row])


def describe(run: SyncRun) -> str:
    return _(
        "Read %(seen)d, new %(new)d, changed %(changed)d, unchanged %(unchanged)d, rejected %(rejected)d."
    ) % {name: getattr(run, name) for name in COUNTERS}
