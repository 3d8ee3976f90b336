from django.core.management.base import BaseCommand

from harvest.models import Source
from harvest.services import start_enabled_runs, start_run
from harvest.tasks import harvest_task


class Command(BaseCommand):
    help = "Queue a harvest of every enabled source for the task worker (docs/harvesting.md); safe to run from cron."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, help="Only this source (its id), enabled or not.")
        parser.add_argument("--now", action="store_true", help="Run in this process instead of queueing.")

    def handle(self, *args, **options):
        if options["source"]:
            runs = [start_run(source=Source.objects.get(pk=options["source"]), enqueue=not options["now"])]
        else:
            runs = start_enabled_runs(enqueue=not options["now"])
        for run in runs:
            if options["now"]:
                status = harvest_task.call(run.pk)
                self.stdout.write(f"{run.source}: {status}.")
            else:
                self.stdout.write(f"{run.source}: harvest queued (run {run.pk}).")
        if not runs:
            self.stdout.write("No enabled source to harvest.")
