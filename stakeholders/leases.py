"""Leases: whether a score run or a task marked running still has a live worker behind it.

While a run computes, its worker holds a lock that the operating system or the
database drops the moment the worker dies, however it dies (SIGKILL, out of memory, a
lost machine). A run still marked running whose lock can be taken has no worker left.
PostgreSQL: a session advisory lock, held by the worker's connection. SQLite: an
flock() on a file beside the database file (SQLite runs on one machine).

A task worker (`manage.py db_worker`) holds a lease of its own in the same way, so a
task left running by a worker that died can be told from one that is still running.

Light on purpose: the status line on every analysis page asks it.
"""

import contextlib
import datetime
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from django.db import connection
from django.utils import timezone

from stakeholders.models import RunStatus, ScoreRun

logger = logging.getLogger(__name__)

# Where no lease can be checked (a database other than PostgreSQL or SQLite, or SQLite
# without file locks), a run still "running" after this long is taken to be dead.
STALE_RUN = datetime.timedelta(minutes=30)
# PostgreSQL advisory lock keys of score runs: this prefix plus the run's id ("IM").
_PG_LOCK_PREFIX = 0x494D << 48
# Of task workers: this prefix plus 48 bits of a hash of the worker's id ("WK").
_PG_WORKER_PREFIX = 0x574B << 48

WORKER_STOPPED = (
    "The worker stopped before finishing (killed, out of memory or restarted); "
    "the scores shown are from the last run that finished."
)


# Attempts in a row on the same data that fail for want of a worker or a database
# before the worker stops retrying by itself (an analysis that gets its worker killed
# for memory would otherwise loop forever); the next change tries again.
AUTOMATIC_RETRIES = 3


def retrying_after(attempts: Sequence[tuple[str, str, str]]) -> bool:
    """Whether the worker tries the scores again by itself after these attempts.

    `attempts` are the newest runs, newest first, as (fingerprint, status, error):
    yes when the newest failed for want of a worker or a database, and fewer than
    AUTOMATIC_RETRIES attempts at that same data failed so in a row.
    """
    if not attempts:
        return False
    fingerprint = attempts[0][0]
    streak = 0
    for f, status, error in attempts:
        if f != fingerprint or status != RunStatus.FAILED or not failure_is_transient(error):
            break
        streak += 1
    return 0 < streak < AUTOMATIC_RETRIES


def failure_is_transient(error: str) -> bool:
    """Whether a run failed for want of a worker or a database, not in the analysis.

    The worker retries such runs by itself (stakeholders.recovery); the analysis
    failing on the same data would only fail again, so that waits for a change.
    """
    return error == WORKER_STOPPED or error.startswith(("OperationalError", "InterfaceError"))


def _lease_file(tag: str) -> Path | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db() or not name:
        # A private database in this process (tests): the name is the same in every
        # process, so the process id keeps two test runs at once apart.
        digest = hashlib.sha256(f"{os.getpid()}:{name}".encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"influence-map-{digest}-{tag}.lock"
    return Path(f"{name}-{tag}.lock")


def lease_path(run_id: int) -> Path | None:
    return _lease_file(f"score-run-{run_id}")


def _worker_digest(worker_id: str) -> bytes:
    return hashlib.sha256(worker_id.encode()).digest()


def worker_lease_path(worker_id: str) -> Path | None:
    return _lease_file(f"worker-{_worker_digest(worker_id).hex()[:16]}")


def _worker_key(worker_id: str) -> int:
    return _PG_WORKER_PREFIX + int.from_bytes(_worker_digest(worker_id)[:6], "big")


def _flock(handle, *, block: bool) -> bool:
    import fcntl  # POSIX only; elsewhere SQLite falls back to STALE_RUN.

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def hold_lease(run_id: int) -> Iterator[None]:
    """Hold the run's lease for the duration of the block."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_PG_LOCK_PREFIX + run_id])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_PG_LOCK_PREFIX + run_id])
        return
    path = lease_path(run_id)
    handle = None
    if path is not None and os.name == "posix":
        handle = open(path, "a+b")  # noqa: SIM115 (held open for the whole run)
        _flock(handle, block=True)
    try:
        yield
    finally:
        if handle is not None:
            # The run's status is final by now, so a checker that takes the lock between
            # these two lines finds nothing left to mark failed.
            path.unlink(missing_ok=True)
            handle.close()


def _pg_lock_free(key: int) -> bool:
    # Read pg_locks rather than trying the lock: a try succeeds in the session that
    # holds it (advisory locks are re-entrant), and takes nothing from anyone.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            " AND granted AND classid::bigint = %s AND objid::bigint = %s"
            " AND objsubid = 1)",
            [key >> 32, key & 0xFFFFFFFF],
        )
        return cursor.fetchone()[0]


def _file_lock_free(path: Path) -> bool:
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        # The worker creates the file before its work is visible and removes it only
        # once that work is final: no file means no worker.
        return True
    with handle:
        if not _flock(handle, block=False):
            return False
    path.unlink(missing_ok=True)
    return True


def worker_gone(run: ScoreRun, now: datetime.datetime) -> bool:
    """Whether a running run's worker has died (its lease is free), without waiting."""
    if connection.vendor == "postgresql":
        return _pg_lock_free(_PG_LOCK_PREFIX + run.pk)
    path = lease_path(run.pk)
    if path is None or os.name != "posix":
        return now - (run.started_at or run.created_at) > STALE_RUN
    return _file_lock_free(path)


def run_is_running(run: ScoreRun) -> bool:
    """Whether a run is computing now: marked running and its worker still alive."""
    return run.status == RunStatus.RUNNING and not worker_gone(run, timezone.now())


class WorkerLease:
    """A task worker's lease, held for as long as the worker lives.

    On PostgreSQL the lock lives on the worker's own connection, so it goes with that
    connection (killed, or the server restarted), as does any work the worker had in
    flight on it. Call hold() after every (re)connection: it takes the lock again on a
    new connection and costs nothing while the connection is the same.
    """

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self._held_on = None  # the DB-API connection holding the PostgreSQL lock
        self._path: Path | None = None
        self._handle = None

    def hold(self) -> None:
        if connection.vendor == "postgresql":
            # A cursor first: with CONN_HEALTH_CHECKS a reused connection that died is
            # replaced here, and the lock goes on the new one.
            with connection.cursor() as cursor:
                if self._held_on is not connection.connection:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [_worker_key(self.worker_id)])
                    if not cursor.fetchone()[0]:
                        logger.warning("Another worker holds the lease of %s", self.worker_id)
                    self._held_on = connection.connection
            return
        if self._handle is not None:
            return
        path = worker_lease_path(self.worker_id)
        if path is None or os.name != "posix":
            return
        handle = open(path, "a+b")  # noqa: SIM115 (held open while the worker lives)
        if not _flock(handle, block=False):
            logger.warning("Another worker holds the lease of %s", self.worker_id)
        self._path, self._handle = path, handle

    def connection_replaced(self) -> bool:
        """Whether the connection holding the lease was replaced: it failed, mid-task."""
        return self._held_on is not None and self._held_on is not connection.connection

    def release(self) -> None:
        """Give the lease up (the worker is stopping); dying gives it up too."""
        if self._handle is not None:
            self._path.unlink(missing_ok=True)
            self._handle.close()
            self._path = self._handle = None
        if self._held_on is not None and self._held_on is connection.connection:
            with contextlib.suppress(Exception), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_worker_key(self.worker_id)])
        self._held_on = None


def worker_lease_gone(
    worker_id: str, *, started_at: datetime.datetime | None, now: datetime.datetime
) -> bool:
    """Whether the task worker with this id has died or stopped (its lease is free)."""
    if connection.vendor == "postgresql":
        return _pg_lock_free(_worker_key(worker_id))
    path = worker_lease_path(worker_id)
    if path is None or os.name != "posix":
        return started_at is None or now - started_at > STALE_RUN
    return _file_lock_free(path)
