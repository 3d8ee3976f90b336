"""The sub-group digest task, run by `manage.py db_worker` (django-tasks-db); `manage.py
send_subgroup_digests` queues it (daily from cron), as the alerts' digest is (docs/network.md)."""

from django.tasks import task

from network.services import send_digests


@task()
def send_subgroup_digests():
    """Send the sub-group digests that are due. Returns how many e-mails went out."""
    return send_digests()
