from django.core.management.base import BaseCommand

from usage.counting import flush


class Command(BaseCommand):
    help = "Add the page views and downloads counted since the last flush to the monthly use statistics."

    def handle(self, *args, **options):
        moved = flush()
        self.stdout.write(f"{moved} counted hit(s) added to the monthly statistics.")
