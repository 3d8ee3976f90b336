"""Blank the private data of registrations once the retention period after their meeting has passed."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from meetings.services.registrations import blank_private_data


class Command(BaseCommand):
    help = (
        "Blank the dietary and access needs and the travel-support data of registrations for meetings and "
        "events that ended more than REGISTRATION_DATA_RETENTION_DAYS days ago. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days after the last day of the meeting (default: the setting REGISTRATION_DATA_RETENTION_DAYS).",
        )

    def handle(self, *args, days=None, **options):
        days = settings.REGISTRATION_DATA_RETENTION_DAYS if days is None else days
        count = blank_private_data(today=timezone.localdate(), days=days)
        self.stdout.write(f"Blanked the needs and support data of {count} registration(s) (after {days} days).")
