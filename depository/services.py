"""Curation workflows on entries (the admin's bulk actions call these)."""

from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from depository.models import Entry, EntryStatus


def publish_entries(*, entries):
    """Publish the entries; an entry published before keeps its first publication date. Returns how many changed."""
    with transaction.atomic():
        now = timezone.now()
        changed = list(entries.exclude(status=EntryStatus.PUBLISHED).values_list("pk", flat=True))
        Entry.objects.filter(pk__in=changed).update(
            status=EntryStatus.PUBLISHED,
            published_at=Coalesce(F("published_at"), Value(now, output_field=DateTimeField())),
            updated_at=now,
        )
        return len(changed)


def archive_entries(*, entries):
    """Withdraw the entries from the public depository (kept for the organizers). Returns how many changed."""
    with transaction.atomic():
        changed = list(entries.exclude(status=EntryStatus.ARCHIVED).values_list("pk", flat=True))
        Entry.objects.filter(pk__in=changed).update(status=EntryStatus.ARCHIVED, updated_at=timezone.now())
        return len(changed)


def add_theme(*, entries, theme):
    """Add one theme to every entry (those that have it already are left alone). Returns how many gained it."""
    through = Entry.themes.through
    with transaction.atomic():
        missing = list(entries.exclude(themes=theme).values_list("pk", flat=True))
        links = [through(entry_id=pk, theme_id=theme.pk) for pk in missing]
        through.objects.bulk_create(links, ignore_conflicts=True)
        return len(links)
