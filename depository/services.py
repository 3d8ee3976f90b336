"""Curation workflows on entries (the admin's bulk actions call these)."""

import re
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import DateTimeField, F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from depository.models import Creator, Entry, EntryStatus, Theme


def publish_entries(*, entries: QuerySet[Entry]) -> int:
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


def archive_entries(*, entries: QuerySet[Entry]) -> int:
    """Withdraw the entries from the public depository (kept for the organizers). Returns how many changed."""
    with transaction.atomic():
        changed = list(entries.exclude(status=EntryStatus.ARCHIVED).values_list("pk", flat=True))
        Entry.objects.filter(pk__in=changed).update(status=EntryStatus.ARCHIVED, updated_at=timezone.now())
        return len(changed)


def replace_creators(*, entry: Entry, creators: list[Creator]) -> list[Creator]:
    """Make `creators` (unsaved Creator rows, in order) the entry's creators: each is validated with
    full_clean() (ValidationError on a bad one, nothing written), then the old rows go and the new
    ones are written in one statement."""
    with transaction.atomic():
        for position, creator in enumerate(creators):
            creator.entry, creator.position = entry, position
            creator.full_clean(exclude=["entry"])
        Creator.objects.filter(entry=entry).delete()
        return Creator.objects.bulk_create(creators)


def add_theme(*, entries: QuerySet[Entry], theme: Theme) -> int:
    """Add one theme to every entry (those that have it already are left alone). Returns how many gained it."""
    through = Entry.themes.through
    with transaction.atomic():
        missing = list(entries.exclude(themes=theme).values_list("pk", flat=True))
        links = [through(entry_id=pk, theme_id=theme.pk) for pk in missing]
        through.objects.bulk_create(links, ignore_conflicts=True)
        return len(links)


def tag_entries(names_by_entry: dict[int, list[str]], *, replace: bool = False) -> int:
    """Tag saved entries: `names_by_entry` maps an entry's pk to its tag names (keywords). Tags new to
    the portal are created first (one INSERT each: taggit makes their slugs); the links are written in
    one INSERT; with `replace`, the entries' old links go first, in one DELETE. Returns the links written."""
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import Tag, TaggedItem

    names = {name for values in names_by_entry.values() for name in values}
    content_type = ContentType.objects.get_for_model(Entry)
    if replace:
        TaggedItem.objects.filter(content_type=content_type, object_id__in=list(names_by_entry)).delete()
    if not names:
        return 0
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    # taggit's names are unique as written; a keyword differing only in case is the tag already there.
    folded = {tag.name.casefold(): tag for tag in Tag.objects.filter(name__iregex=r"^(" + "|".join(
        re.escape(name) for name in sorted(names - set(tags))) + r")$")} if names - set(tags) else {}  # fmt: skip
    for name in sorted(names - set(tags)):
        tags[name] = folded.get(name.casefold()) or Tag.objects.create(name=name)
        folded[name.casefold()] = tags[name]
    links = {(pk, tags[name].pk) for pk, values in names_by_entry.items() for name in values}
    TaggedItem.objects.bulk_create(
        [TaggedItem(content_type=content_type, object_id=pk, tag_id=tag_id) for pk, tag_id in sorted(links)],
        ignore_conflicts=True,
    )
    return len(links)


def unique_entry_slugs(
    titles: Sequence[str], *, existing: Iterable[str] | None = None, max_length: int = 200
) -> list[str]:
    """One new, unique entry slug per title, in order: `titles` is a list of str; returns a list of
    str of the same length.

    Titles in any script are transliterated (python-slugify with text-unidecode: "السلامة" ->
    "lslm"), lower-cased, words joined by hyphens, cut at `max_length` on a word boundary; a title
    with no letters or digits becomes "entry". A slug already taken, by an entry in the database
    (one query), by `existing` (an iterable of slugs taken besides, e.g. those other rows of the same
    file name), or by an earlier title of the same list, gets the first free suffix "-2", "-3"...;
    so two rows titled "Women's safety audit" become "womens-safety-audit" and
    "womens-safety-audit-2", and neither overwrites an entry.
    """
    from slugify import slugify  # python-slugify

    apostrophes = [["'", ""], ["\u2019", ""]]  # "Women's" -> "womens", not "women-s"
    bases = [
        slugify(title or "", max_length=max_length - 6, word_boundary=True, replacements=apostrophes) or "entry"
        for title in titles
    ]
    taken = set(existing or ())
    if bases:
        # The slugs taken that are one of the bases, or a base with a suffix: one hash join, however
        # many titles (a regular expression of the bases ORed is "too complex" past a few thousand).
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.slug FROM {Entry._meta.db_table} e JOIN unnest(%(bases)s::text[]) b(base) "  # noqa: S608
                "ON regexp_replace(e.slug, '-[0-9]+$', '') = b.base "
                f"UNION SELECT e.slug FROM {Entry._meta.db_table} e JOIN unnest(%(bases)s::text[]) b(base) "  # noqa: S608
                "ON e.slug = b.base",
                {"bases": sorted(set(bases))},
            )
            taken.update(slug for (slug,) in cursor.fetchall())
    slugs = []
    for base in bases:
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        slugs.append(slug)
    return slugs
