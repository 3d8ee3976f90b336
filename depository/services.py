"""Curation workflows on entries (the admin's bulk actions call these)."""

from django.db import connection, transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from depository.models import Creator, Entry, EntryStatus


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


def replace_creators(*, entry, creators):
    """Make `creators` (unsaved Creator rows, in order) the entry's creators: each is validated with
    full_clean() (ValidationError on a bad one, nothing written), then the old rows go and the new
    ones are written in one statement."""
    with transaction.atomic():
        for position, creator in enumerate(creators):
            creator.entry, creator.position = entry, position
            creator.full_clean(exclude=["entry"])
        Creator.objects.filter(entry=entry).delete()
        return Creator.objects.bulk_create(creators)


def add_theme(*, entries, theme):
    """Add one theme to every entry (those that have it already are left alone). Returns how many gained it."""
    through = Entry.themes.through
    with transaction.atomic():
        missing = list(entries.exclude(themes=theme).values_list("pk", flat=True))
        links = [through(entry_id=pk, theme_id=theme.pk) for pk in missing]
        through.objects.bulk_create(links, ignore_conflicts=True)
        return len(links)


SLUG_FALLBACK = "entry"


def unique_entry_slugs(titles):
    """A slug for each title, unique among the entries and within `titles`: [str], in the same order.

    The slug is Django's `slugify` of the title (ASCII; at most 190 characters, leaving room for a
    suffix); a title with no Latin letters or digits (an Arabic title) gets SLUG_FALLBACK. A slug
    taken, by an entry or by an earlier title of the list, gets the first free suffix -2, -3, ...
    One query, whatever the number of titles.
    """
    bases = [(slugify(title)[:190].strip("-") or SLUG_FALLBACK) for title in titles]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT slug FROM {Entry._meta.db_table} WHERE regexp_replace(slug, '-[0-9]+$', '') = ANY(%s)",  # noqa: S608
            [sorted(set(bases))],
        )
        taken = {slug for (slug,) in cursor.fetchall()}
    slugs, counters = [], {}
    for base in bases:
        slug, counter = base, counters.get(base, 1)
        while slug in taken:
            counter += 1
            slug = f"{base}-{counter}"
        counters[base] = counter
        taken.add(slug)
        slugs.append(slug)
    return slugs
