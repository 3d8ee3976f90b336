"""The digest task, run by `manage.py db_worker` (django-tasks-db); `manage.py send_alert_digests`
queues it (daily from cron; docs/alerts.md)."""

from django.tasks import task

from alerts.services import send_digests


@task()
def send_alert_digests():
    """Send the digests of the last complete week and month that are not sent yet. Returns how many
    e-mails went out."""
    return send_digests()
