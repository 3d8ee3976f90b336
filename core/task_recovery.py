"""Tasks whose worker died are taken again, a bounded number of times (issue 13, finding 6).

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again: a worker
killed mid-task (SIGKILL, the out-of-memory killer, a lost machine) left it RUNNING forever. Here a
worker is alive exactly while its database session is: `manage.py db_worker` (the portal's own,
core/management/commands/db_worker.py) connects with the application name
``twg-worker:<worker id>``, and PostgreSQL drops a session from `pg_stat_activity` as soon as its
process's connection closes, which the kernel does when the process dies. So a RUNNING task whose
latest worker id has no session is abandoned, with no clock, lease or heartbeat to tune.

Rules (`recover_abandoned_tasks`, run by every worker when it starts and every
TASK_RECOVERY_INTERVAL seconds while it runs):
- an abandoned task that has been attempted fewer than TASK_MAX_ATTEMPTS times (the length of its
  `worker_ids`) is READY again, for any worker to take;
- one attempted TASK_MAX_ATTEMPTS times is FAILED, with WorkerLost and the reason as its error, and
  `task_abandoned` is sent so that its owner can record the failure (depository.tasks marks the
  document's text extraction failed).

Workers must connect to PostgreSQL directly or through session pooling: behind transaction pooling
(PgBouncer's `pool_mode = transaction`) a server session is not one worker's, and this cannot tell.
"""

import json
import logging

import django.dispatch
from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# PostgreSQL keeps 63 bytes of an application name: the prefix and a worker id of up to 52 characters.
WORKER_APPLICATION_PREFIX = "twg-worker:"
MAX_WORKER_ID_LENGTH = 63 - len(WORKER_APPLICATION_PREFIX)

# Sent once per task given up on, after its row is FAILED, with `task_path` ("module.function"),
# `args`, `kwargs` and `reason`.
task_abandoned = django.dispatch.Signal()


class WorkerLost(Exception):
    """The worker running the task died (its database session ended) before the task finished."""


def worker_application_name(worker_id):
    """The application name a worker with `worker_id` connects with; ValueError if it cannot fit."""
    if len(worker_id) > MAX_WORKER_ID_LENGTH:
        raise ValueError(f"a worker id has at most {MAX_WORKER_ID_LENGTH} characters")
    return WORKER_APPLICATION_PREFIX + worker_id


def abandoned_reason(attempts):
    return (
        f"Its worker stopped (killed or crashed) during each of {attempts} attempts; "
        "the task was given up (TASK_MAX_ATTEMPTS)."
    )


def recover_abandoned_tasks():
    """Requeue or fail every RUNNING task of the database backend whose latest worker has no live
    database session. Returns (requeued, failed): lists of task ids. One statement, so that several
    workers recovering at once each take a task once (rows are locked, SKIP LOCKED); then, for each
    failed task, `task_abandoned` in a transaction of its own (a receiver's error is logged, and the
    task stays FAILED all the same)."""
    table = DBTaskResult._meta.db_table
    max_attempts = settings.TASK_MAX_ATTEMPTS
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH abandoned AS (
                SELECT id FROM {table} AS task
                WHERE status = 'RUNNING'
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_stat_activity AS session
                      WHERE session.application_name = %(prefix)s || (task.worker_ids ->> -1)
                  )
                FOR UPDATE SKIP LOCKED
            )
            UPDATE {table} AS task SET
                status = CASE WHEN jsonb_array_length(task.worker_ids) >= %(max)s THEN 'FAILED' ELSE 'READY' END,
                finished_at = CASE WHEN jsonb_array_length(task.worker_ids) >= %(max)s THEN now() END,
                exception_class_path = CASE WHEN jsonb_array_length(task.worker_ids) >= %(max)s
                    THEN %(exception)s ELSE '' END,
                traceback = CASE WHEN jsonb_array_length(task.worker_ids) >= %(max)s
                    THEN %(reason)s ELSE '' END
            FROM abandoned WHERE task.id = abandoned.id
            RETURNING task.id, task.status, task.task_path, task.args_kwargs
            """,  # noqa: S608 - the table name is the model's own; every value is a parameter
            {
                "prefix": WORKER_APPLICATION_PREFIX,
                "max": max_attempts,
                "exception": f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                "reason": abandoned_reason(max_attempts),
            },
        )
        rows = cursor.fetchall()
    requeued = [str(task_id) for task_id, status, _, _ in rows if status == "READY"]
    failed = []
    for task_id, status, task_path, args_kwargs in rows:
        if status != "FAILED":
            continue
        if isinstance(args_kwargs, str):  # Django's psycopg2 backend leaves jsonb undecoded
            args_kwargs = json.loads(args_kwargs)
        failed.append(str(task_id))
        try:
            # The task's own module, as a worker imports it to run the task: receivers defined beside
            # the task (depository.tasks's) are connected before the signal is sent.
            import_string(task_path)
        except ImportError:
            logger.warning("The abandoned task %s names %s, which cannot be imported", task_id, task_path)
        try:
            with transaction.atomic():
                task_abandoned.send(
                    sender=DBTaskResult,
                    task_path=task_path,
                    args=args_kwargs.get("args", []),
                    kwargs=args_kwargs.get("kwargs", {}),
                    reason=abandoned_reason(max_attempts),
                )
        except Exception:
            logger.exception("Recording the abandoned task %s failed; the task is FAILED all the same", task_id)
    return requeued, failed
