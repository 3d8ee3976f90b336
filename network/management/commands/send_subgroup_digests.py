from django.core.management.base import BaseCommand

from network.tasks import send_subgroup_digests


class Command(BaseCommand):
    help = (
        "Queue the sub-groups' digests for the task worker (members who chose the digest); safe to run daily "
        "or more often: a digest is claimed before it is sent, so none goes out twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Send in this process instead of queueing.")

    def handle(self, *args, **options):
        if options["now"]:
            self.stdout.write(f"{send_subgroup_digests.call()} sub-group digest e-mail(s) sent.")
        else:
            result = send_subgroup_digests.enqueue()
            self.stdout.write(f"Sub-group digests queued ({result.id}).")
