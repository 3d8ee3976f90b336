"""`manage.py db_worker`: django-tasks-db's worker, whose tasks survive its death (core/task_recovery.py).

The same command and options as django-tasks-db's (this app comes first in INSTALLED_APPS, so its
command is the one run); besides, the worker
- connects to PostgreSQL as ``twg-worker:<worker id>``, which is how other workers know it is alive;
- requeues or fails the tasks of dead workers when it starts and every TASK_RECOVERY_INTERVAL seconds.
"""

import logging
import os
import threading

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from core.task_recovery import MAX_WORKER_ID_LENGTH, recover_abandoned_tasks, worker_application_name

logger = logging.getLogger("django_tasks_db")


def recover_and_log():
    requeued, failed = recover_abandoned_tasks()
    if requeued or failed:
        logger.warning("Tasks of stopped workers: requeued %s; given up %s", requeued or "none", failed or "none")


class RecoveringWorker(db_worker.Worker):
    """The worker, with a thread that recovers abandoned tasks every `recovery_interval` seconds
    (on its own database connection) while the worker runs."""

    def __init__(self, *, recovery_interval, **kwargs):
        super().__init__(**kwargs)
        self.recovery_interval = recovery_interval
        self.stopped = threading.Event()

    def recover_periodically(self):
        while not self.stopped.wait(self.recovery_interval):
            try:
                recover_and_log()
            except Exception:
                logger.exception("Recovering the tasks of stopped workers failed; trying again later")
            finally:
                connection.close()  # this thread's own connection

    def run(self):
        recover_and_log()
        thread = threading.Thread(target=self.recover_periodically, name="task-recovery", daemon=True)
        thread.start()
        try:
            super().run()
        finally:
            self.stopped.set()


class Command(db_worker.Command):
    help = db_worker.Command.help + " (tasks of workers that died are taken again, see docs/deployment.md)"

    def handle(
        self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks, worker_id,
        exclude_queues, **options,
    ):  # fmt: skip
        # As django-tasks-db's own handle(), with RecoveringWorker and the connection's application name.
        if len(worker_id) > MAX_WORKER_ID_LENGTH:
            raise CommandError(f"--worker-id has at most {MAX_WORKER_ID_LENGTH} characters")
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("Warning: --reload and --batch cannot be specified together. Disabling autoreload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        # Every connection this process opens (the worker's, the recovery thread's) carries the name.
        connections.settings[DEFAULT_DB_ALIAS].setdefault("OPTIONS", {})["application_name"] = worker_application_name(
            worker_id
        )
        connections[DEFAULT_DB_ALIAS].close()
        worker = RecoveringWorker(
            recovery_interval=settings.TASK_RECOVERY_INTERVAL,
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
