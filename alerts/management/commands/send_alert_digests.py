from django.core.management.base import BaseCommand

from alerts.tasks import send_alert_digests


class Command(BaseCommand):
    help = "Queue the alert digests (weekly and monthly) for the task worker; safe to run daily or more often."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Send in this process instead of queueing.")

    def handle(self, *args, **options):
        if options["now"]:
            self.stdout.write(f"{send_alert_digests.call()} digest e-mail(s) sent.")
        else:
            result = send_alert_digests.enqueue()
            self.stdout.write(f"Alert digests queued ({result.id}).")
