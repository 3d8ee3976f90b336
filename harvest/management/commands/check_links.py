from django.core.management.base import BaseCommand

from harvest.links import check_links
from harvest.tasks import check_links_task


class Command(BaseCommand):
    help = (
        "Queue a check of the published entries' external links for the task worker (docs/harvesting.md, "
        "“Link health”); each link is checked at most once every LINK_CHECK_INTERVAL_DAYS days. Safe to run "
        "from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Check in this process instead of queueing.")
        parser.add_argument("--limit", type=int, help="Check at most this many links (with --now).")

    def handle(self, *args, **options):
        if not options["now"]:
            check_links_task.enqueue()
            self.stdout.write("Link check queued.")
            return
        outcomes = check_links(limit=options["limit"])
        summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
        self.stdout.write(f"Links checked: {summary or 'none due'}.")
