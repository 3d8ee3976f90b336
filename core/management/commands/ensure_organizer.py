import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from core.roles import sync_organizers_group


class Command(BaseCommand):
    help = (
        "Keep the Organizers group's permissions current and create an organizer account if there is none. "
        "ORGANIZER_USERNAME, ORGANIZER_EMAIL and ORGANIZER_PASSWORD set its details; without a password one "
        "is generated and printed once."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        group = sync_organizers_group()
        User = get_user_model()
        if (
            User.objects.filter(is_active=True, is_staff=True, groups=group).exists()
            or User.objects.filter(is_active=True, is_superuser=True).exists()
        ):
            self.stdout.write("An organizer account exists; nothing created.")
            return
        username = os.environ.get("ORGANIZER_USERNAME") or "organizer"
        password = os.environ.get("ORGANIZER_PASSWORD") or secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=username, email=os.environ.get("ORGANIZER_EMAIL", ""), password=password, is_staff=True
        )
        user.groups.add(group)
        self.stdout.write(self.style.SUCCESS("Created the organizer account (shown once):"))
        self.stdout.write(f"  user name: {username}")
        if os.environ.get("ORGANIZER_PASSWORD"):
            self.stdout.write("  password:  (from ORGANIZER_PASSWORD)")
        else:
            self.stdout.write(f"  password:  {password}")
