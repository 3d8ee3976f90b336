from django.core.management.base import BaseCommand

from usage.counting import flush


class Command(BaseCommand):
    help = "Add the page views and downloads counted in the cache to the monthly use statistics."

    def handle(self, *args, **options):
        moved = flush()
        if moved is None:
            self.stdout.write("Another flush is running; nothing done.")
        else:
            self.stdout.write(f"{moved} counted hit(s) added to the monthly statistics.")
