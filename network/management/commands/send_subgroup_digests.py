from django.core.management.base import BaseCommand

from network.services import send_digests


class Command(BaseCommand):
    help = (
        "E-mail the sub-groups' digests that are due (members who chose the digest); safe to run daily "
        "or more often: a digest is claimed before it is sent, so none goes out twice."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{send_digests()} sub-group digest e-mail(s) sent.")
