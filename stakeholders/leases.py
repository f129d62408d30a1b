"""Score-run leases: whether a run marked running still has a live worker behind it.

While a run computes, its worker holds a lock that the operating system or the
database drops the moment the worker dies, however it dies (SIGKILL, out of memory, a
lost machine). A run still marked running whose lock can be taken has no worker left.
PostgreSQL: a session advisory lock, held by the worker's connection. SQLite: an
flock() on a file beside the database file (SQLite runs on one machine).

Light on purpose: the status line on every analysis page asks it.
"""

import contextlib
import datetime
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.db import connection
from django.utils import timezone

from stakeholders.models import RunStatus, ScoreRun

# Where no lease can be checked (a database other than PostgreSQL or SQLite, or SQLite
# without file locks), a run still "running" after this long is taken to be dead.
STALE_RUN = datetime.timedelta(minutes=30)
# PostgreSQL advisory lock keys of score runs: this prefix plus the run's id ("IM").
_PG_LOCK_PREFIX = 0x494D << 48


def lease_path(run_id: int) -> Path | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db() or not name:
        # A private database in this process (tests): the name is the same in every
        # process, so the process id keeps two test runs at once apart.
        digest = hashlib.sha256(f"{os.getpid()}:{name}".encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"influence-map-{digest}-score-run-{run_id}.lock"
    return Path(f"{name}-score-run-{run_id}.lock")


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


def worker_gone(run: ScoreRun, now: datetime.datetime) -> bool:
    """Whether a running run's worker has died (its lease is free), without waiting."""
    if connection.vendor == "postgresql":
        # Read pg_locks rather than trying the lock: a try succeeds in the session that
        # holds it (advisory locks are re-entrant), and takes nothing from anyone.
        key = _PG_LOCK_PREFIX + run.pk
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                " AND granted AND classid::bigint = %s AND objid::bigint = %s"
                " AND objsubid = 1)",
                [key >> 32, key & 0xFFFFFFFF],
            )
            return cursor.fetchone()[0]
    path = lease_path(run.pk)
    if path is None or os.name != "posix":
        return now - (run.started_at or run.created_at) > STALE_RUN
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        # The worker creates the file before its run is visible and removes it only
        # once the run's status is final: no file means no worker.
        return True
    with handle:
        if not _flock(handle, block=False):
            return False
    path.unlink(missing_ok=True)
    return True


def run_is_running(run: ScoreRun) -> bool:
    """Whether a run is computing now: marked running and its worker still alive."""
    return run.status == RunStatus.RUNNING and not worker_gone(run, timezone.now())
