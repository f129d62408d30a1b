"""`manage.py db_worker`: django-tasks-db's worker, made to outlive database outages.

The package's worker exits on the first database error it does not expect (a server
restart, refused connections), and the task it was running stays "running" for good.
This one (it takes the command's name: stakeholders comes before django_tasks_db in
INSTALLED_APPS) backs off and reconnects instead. On starting, after every
reconnection and every --catch-up-interval seconds it runs
stakeholders.recovery.worker_recover: tasks and score runs that dead workers left
running are marked failed, and every workspace whose scores are behind its data is
queued for a recompute. Options are the package's, plus --catch-up-interval.
"""

import contextlib
import logging
import os
import random
import time

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker as package
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from stakeholders.leases import WorkerLease
from stakeholders.recovery import worker_recover

logger = logging.getLogger(__name__)

# While the database cannot be reached: wait this long, doubling up to the ceiling.
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
# Between catch-up checks, each of which reads every workspace's data to fingerprint it.
CATCH_UP_INTERVAL = 120.0


class Worker(package.Worker):
    """The package's loop, one pass at a time, with back-off and recovery around it."""

    def __init__(self, *, catch_up_interval: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.catch_up_interval = catch_up_interval
        self.lease = WorkerLease(self.worker_id)
        self.recover_at = 0.0  # time.monotonic() of the next recovery: at once

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 (spreads workers started together)
        backoff = BACKOFF_FIRST
        try:
            while self.running:
                try:
                    if self.run_once():
                        return
                except (OperationalError, InterfaceError) as exc:
                    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                    logger.warning("Database error (%s); trying again in %.1f s", reason, backoff)
                    # Never reuse a connection that failed; recover once a new one is up.
                    with contextlib.suppress(Exception):
                        connection.close()
                    self.recover_at = 0.0
                    if self.running:
                        time.sleep(backoff)
                    backoff = min(backoff * 2, BACKOFF_MAX)
                else:
                    backoff = BACKOFF_FIRST
        finally:
            with contextlib.suppress(Exception):
                self.lease.release()

    def run_once(self) -> bool:
        """One pass of the package's loop (recovering first when due); True: stop now."""
        # Check for dropped/expired connections right after waking up.
        close_old_connections()
        self.lease.hold()
        if time.monotonic() >= self.recover_at:
            try:
                worker_recover(worker_id=self.worker_id)
            except (OperationalError, InterfaceError):
                raise
            except Exception:
                # A fault in the recovery must not stop the queue: log it, retry later.
                logger.exception("Recovery failed on worker %s", self.worker_id)
            self.recover_at = time.monotonic() + self.catch_up_interval

        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        retrieved = True
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    # Claim the task, so that no other worker runs it.
                    task_result.claim(self.worker_id)
            except OperationalError as exc:
                # A locked SQLite database unlocks eventually: keep trying.
                if not is_locked_database_exception(exc):
                    raise
                retrieved, task_result = False, None
        if task_result is not None:
            self.run_task(task_result)
            if self.lease.connection_replaced():
                # Django reconnected after an error in the task, which may have failed for
                # want of a database (a score run then records it): recover at once.
                self.recover_at = 0.0

        if self.batch and retrieved and task_result is None:
            logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            logger.info("Ran the maximum %d tasks on worker=%s.", self._run_tasks, self.worker_id)
            return True
        close_old_connections()
        # Ctrl-C during a task clears self.running: then stop rather than sleep.
        if self.running and task_result is None:
            time.sleep(self.interval)
        return False


class Command(package.Command):
    help = (
        "Run a database background worker that survives database outages, fails the work "
        "dead workers left running and catches up scores that are behind their data"
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--catch-up-interval",
            default=CATCH_UP_INTERVAL,
            type=package.valid_interval,
            help="Seconds between checks for workspaces whose scores are behind their data "
            "(default: %(default)r); the worker also checks on starting and reconnecting.",
        )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        catch_up_interval: float,
        **options,
    ) -> None:
        # As the package's handle(), with this module's Worker.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be given together: not reloading.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
            catch_up_interval=catch_up_interval,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
