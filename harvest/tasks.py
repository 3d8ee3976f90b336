"""Background tasks of harvesting, run by `manage.py db_worker` (docs/harvesting.md)."""

from django.tasks import task

from harvest.models import HarvestRun, RunStatus


@task()
def harvest_task(run_id):
    """Run one queued harvest run."""
    run = HarvestRun.objects.select_related("source").filter(pk=run_id, status=RunStatus.QUEUED).first()
    if run is None:  # deleted, or already run
        return ""
    from harvest.services import run_harvest

    return str(run_harvest(run))


@task()
def fetch_full_text_task(entry_id):
    """Download and attach the document linked from a harvested entry's record."""
    from harvest.services import fetch_full_text

    return fetch_full_text(entry_id)


@task()
def check_links_task():
    """Check the external links due for a check (harvest.links, `manage.py check_links`)."""
    from harvest.links import check_links

    outcomes = check_links()
    return ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items())) or "nothing due"
