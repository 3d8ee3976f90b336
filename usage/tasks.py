"""The task worker (`manage.py db_worker`) moves counted hits into the statistics table."""

from django.tasks import task

from usage.counting import flush


@task()
def flush_statistics_task():
    """Queued by the first counted hit after a flush, to run USAGE_FLUSH_INTERVAL_SECONDS later."""
    return flush()
