"""Curation workflows on entries (the admin's bulk actions call these)."""

from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import DateTimeField, F, QuerySet, Value
from django.db.models.functions import Coalesce, Lower
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
    # taggit's names are unique as written; a keyword differing only in case is the tag already there
    # (one query finds both).
    found = list(Tag.objects.annotate(folded=Lower("name")).filter(folded__in={name.lower() for name in names}))
    exact = {tag.name: tag for tag in found}
    folded = {tag.folded: tag for tag in found}
    tags = {}
    for name in sorted(names):
        tags[name] = exact.get(name) or folded.get(name.lower())
        if tags[name] is None:
            tags[name] = folded[name.lower()] = Tag.objects.create(name=name)
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


class TermsMode:
    """How a classification treats an entry's terms of one vocabulary: ADD keeps those it has, SET
    replaces them (SET with no terms removes them all)."""

    ADD = "add"
    SET = "set"


# The entry's many-to-many relations a classification writes, by the name it is given.
CLASSIFIED_RELATIONS = ("themes", "city_types", "violence_types")


def classify_entries(
    *,
    entries: QuerySet[Entry],
    terms: dict[str, tuple[str, Sequence]] | None = None,
    kind: str = "",
    evidence_level: str | None = None,
    language: str = "",
) -> int:
    """Classify many entries at once, in one transaction and a few set-based statements whatever
    their number: `terms` maps a relation of CLASSIFIED_RELATIONS to (TermsMode, terms): one DELETE
    of the links a SET drops, one INSERT (bulk_create on the through table, conflicts ignored) of the
    links missing; then one UPDATE of `kind`, `evidence_level` ('' clears it) and `language` where
    given, and of `updated_at` (OAI-PMH harvesters see the change). The search documents and facet
    rows follow at commit (the through tables' and the entry's statement triggers, search_v1.sql).
    ValidationError, nothing written, when the new language is one an entry holds a translation in
    (Entry.clean: that text belongs in the original field). Returns the number of entries."""
    from django.core.exceptions import ValidationError
    from django.db.models import Q
    from django.utils.translation import gettext as _

    terms = terms or {}
    with transaction.atomic():
        ids = list(entries.order_by().values_list("pk", flat=True).distinct())
        if not ids:
            return 0
        if language:
            translated = Q()
            for name in Entry.TRANSLATED_FIELDS:
                translated |= ~Q(**{f"{name}_{language}": ""})
            clashing = Entry.objects.filter(translated, pk__in=ids).exclude(language=language).count()
            if clashing:
                raise ValidationError(
                    _(
                        "%(count)d of the entries hold a translation into that language: move it to the "
                        "original fields first, or leave the language as it is."
                    ),
                    code="translation_in_language",
                    params={"count": clashing},
                )
        for relation, (mode, chosen) in terms.items():
            entry_field = Entry._meta.get_field(relation)
            through = entry_field.remote_field.through
            own, other = entry_field.m2m_field_name(), entry_field.m2m_reverse_field_name()
            chosen_ids = sorted({term.pk for term in chosen})
            if mode == TermsMode.SET:
                through.objects.filter(**{f"{own}_id__in": ids}).exclude(**{f"{other}_id__in": chosen_ids}).delete()
            through.objects.bulk_create(
                [through(**{f"{own}_id": pk, f"{other}_id": term_id}) for pk in ids for term_id in chosen_ids],
                ignore_conflicts=True,
            )
        changes = {"updated_at": timezone.now()}
        if kind:
            changes["kind"] = kind
        if evidence_level is not None:
            changes["evidence_level"] = evidence_level
        if language:
            changes["language"] = language
        Entry.objects.filter(pk__in=ids).update(**changes)
        return len(ids)
