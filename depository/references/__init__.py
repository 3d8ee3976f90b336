"""Import from reference managers (RIS, BibTeX, CSL-JSON, as Zotero, EndNote and Mendeley export them).

`readers.read_references(text, fmt)` gives one `Reference` per record (or its error);
`check_references(references)` decides each record's outcome (new, duplicate of an entry or of an
earlier record of the file, error) with a fixed number of queries; `run_import(...)` validates and
writes the new ones, all or nothing, with bulk statements; `check_upload`, `confirm_import` and
`finish_import` are the admin's steps (docs/citations.md).
"""

from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Func, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Lower
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from depository.models import Creator, Entry, EntryKind, EntryStatus, ImportStatus, ReferenceImport
from depository.references.readers import Reference, guess_format, read_references, title_key
from depository.services import tag_entries, unique_entry_slugs

__all__ = [
    "ImportResult",
    "Outcome",
    "RecordOutcome",
    "Reference",
    "check_references",
    "check_upload",
    "complete_existing",
    "confirm_import",
    "finish_import",
    "guess_format",
    "is_stale",
    "read_references",
    "run_import",
    "title_key",
]


# -- Checking ------------------------------------------------------------------------------------------
class Outcome(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"
    ERROR = "error"


@dataclass(frozen=True)
class RecordOutcome:
    """What comes of one record of a file. ReferenceImport.outcomes stores it as a dict (`asdict`)."""

    number: int  # the record's place in the file, from 1
    title: str
    outcome: Outcome
    reason: str = ""  # why a duplicate or an error
    entry: str = ""  # the slug of the entry it duplicates, or (once imported) the one it became
    creators: int = 0  # how many creators the record names
    warnings: tuple = ()  # what of a new record was kept as written or cut (depository.csl.entry_values)


def stored_outcomes(outcomes):
    """`outcomes` (RecordOutcome) as ReferenceImport.outcomes holds them: a list of dicts."""
    return [asdict(outcome) for outcome in outcomes]


def key_title_sql(expression):
    """title_key in SQL (the `unaccent` extension of migration 0003)."""
    unaccented = Func(expression, function="unaccent")
    spaced = Func(Lower(unaccented), Value(r"[^[:alnum:]]+"), Value(" "), Value("g"), function="regexp_replace")
    return Func(spaced, function="btrim")


def check_references(references):
    """The outcome of each reference, in order: a list of RecordOutcome. Duplicates: an entry with the
    same DOI, or the same normalised title, year and first creator; or an earlier record of the same
    file. Two queries, whatever the count."""
    usable = [reference for reference in references if not reference.error]
    by_doi = dict(
        Entry.objects.filter(doi__in={r.doi for r in usable if r.doi}).values_list("doi", "slug").order_by("pk")
    )
    titles = {title_key(r.title) for r in usable}
    candidates = (
        Entry.objects.annotate(key_title=key_title_sql(F("title")))
        .filter(key_title__in=titles)
        .prefetch_related("creators")
        .only("pk", "slug", "title", "year")
    )
    by_key = {}
    for entry in candidates:
        first = entry.creators_in_order()[:1]
        family = (first[0].family or first[0].name) if first else ""
        by_key.setdefault((title_key(entry.title), entry.year, title_key(family)), entry.slug)
    outcomes, seen = [], {}
    for reference in references:
        # The creators count is the import's work: confirm_import decides where to run it.
        record = {
            "number": reference.number,
            "title": reference.title,
            "creators": len(reference.creators),
            "warnings": tuple(str(warning) for warning in reference.warnings),
        }
        key = reference.key()
        if reference.error:
            outcome = RecordOutcome(**record, outcome=Outcome.ERROR, reason=reference.error)
        elif reference.doi and reference.doi in by_doi:
            outcome = RecordOutcome(
                **record, outcome=Outcome.DUPLICATE, entry=by_doi[reference.doi], reason=_("same DOI")
            )
        elif key in by_key:
            outcome = RecordOutcome(
                **record, outcome=Outcome.DUPLICATE, entry=by_key[key], reason=_("same title, year and first author")
            )
        elif (reference.doi and ("doi", reference.doi) in seen) or key in seen:
            earlier = seen.get(("doi", reference.doi)) or seen[key]
            outcome = RecordOutcome(
                **record,
                outcome=Outcome.DUPLICATE,
                reason=_("same as record %(number)d of this file") % {"number": earlier},
            )
        else:
            outcome = RecordOutcome(**record, outcome=Outcome.NEW)
            seen.setdefault(key, reference.number)
            if reference.doi:
                seen.setdefault(("doi", reference.doi), reference.number)
        outcomes.append(outcome)
    return outcomes


# -- Importing -----------------------------------------------------------------------------------------
def build_entry(reference, *, user, status, now):
    """An unsaved, validated Entry (kind 'publication', empty annotation) and its unsaved Creators.
    A value the model refuses (beyond what depository.csl.entry_values checked) is moved to the
    entry's other fields, kept as written, with a warning on the record; raises ValidationError with
    the model's reasons only when the record cannot be an entry even so (its title, its creators).
    The slug is set later (unique_entry_slugs)."""
    fields = dict(reference.values.fields)
    other = dict(fields.pop("other_variables", {}))
    entry = Entry(
        kind=EntryKind.PUBLICATION,
        slug=SLUG_PLACEHOLDER,
        status=status,
        published_at=now if status == EntryStatus.PUBLISHED else None,
        curated_by=user,
        other_variables=other,
        **fields,
    )
    try:
        entry.full_clean(validate_unique=False)
    except ValidationError as error:
        refused = {name for name in error.error_dict if name not in ("title", "__all__", "slug")}
        if not refused or set(error.error_dict) - refused - {"slug"}:
            raise
        for name in refused:
            other[f"{name}"] = str(getattr(entry, name))
            setattr(entry, name, Entry._meta.get_field(name).get_default())
            reference.warnings.append(
                _("%(field)s: %(reason)s Kept as written.")
                % {"field": name, "reason": " ".join(error.error_dict[name][0])}
            )
        entry.other_variables = other
        entry.full_clean(validate_unique=False)
    creators = [Creator(entry=entry, position=n, **creator) for n, creator in enumerate(reference.creators)]
    for creator in creators:
        creator.full_clean(exclude=["entry"])
    return entry, creators


SLUG_PLACEHOLDER = "slug"
PROGRESS_EVERY = 250


class ImportResult(NamedTuple):
    outcomes: list[RecordOutcome]  # each record's, in order; a new one names the entry it became
    entries: list[Entry]  # the entries created, in the file's order


def run_import(*, text, fmt, user=None, status=EntryStatus.DRAFT, progress=None):
    """Read, validate, check and import a file: an ImportResult. The records that can be entries
    are imported; one that cannot (an error of its own) is reported and left out, never the reason to
    refuse the others.

    Each record is validated first (`full_clean`, outside the transaction, calling `progress(done,
    total)` every PROGRESS_EVERY records so a background task can show it); then, in one transaction,
    the entries table is locked against other writers (SHARE ROW EXCLUSIVE: reads go on), the
    outcomes are decided (`check_references`), and the new entries and their creators are written
    with two INSERTs, their search documents and facet index with one statement each. Importing the
    same file again, even at the same time, creates nothing. Raises ValueError for an unreadable
    file.
    """
    references = read_references(text, fmt)
    now = timezone.now()
    built = {}
    for done, reference in enumerate(references, start=1):
        if not reference.error:
            try:
                built[reference.number] = build_entry(reference, user=user, status=status, now=now)
            except ValidationError as error:
                reference.error = "; ".join(error.messages)
        if progress and (done % PROGRESS_EVERY == 0 or done == len(references)):
            progress(done, len(references))
    references_by_number = {reference.number: reference for reference in references}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Entry._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")  # noqa: S608
        outcomes = check_references(references)
        new = [built[o.number] for o in outcomes if o.outcome == Outcome.NEW]
        entries = [entry for entry, _creators in new]
        for entry, slug in zip(entries, unique_entry_slugs([entry.title for entry in entries]), strict=True):
            entry.slug = slug
        Entry.objects.bulk_create(entries)
        creators = [creator for entry, entry_creators in new for creator in entry_creators]
        for creator in creators:
            creator.entry_id = creator.entry.pk
        Creator.objects.bulk_create(creators)
        keywords = {entry.pk: references_by_number[o.number].values.keywords for o, (entry, _c) in zip(
            [o for o in outcomes if o.outcome == Outcome.NEW], new, strict=True)}  # fmt: skip
        tag_entries(keywords)
        # The search index follows at the commit, in one reindex of every entry written (depository.search).
        outcomes = [replace(o, entry=built[o.number][0].slug) if o.outcome == Outcome.NEW else o for o in outcomes]
        return ImportResult(outcomes=outcomes, entries=entries)


def complete_existing(*, text, fmt):
    """Fill the blank bibliographic fields of the entries a file's records duplicate (same DOI, or
    title, year and first creator), from those records: what organizers wrote is never overwritten.
    The records loader runs it on the literature file at every `make run`, so works imported before
    the whole record was kept (issue 20) gain their series, volume, place ... Returns how many
    entries changed. One query to read them, one to write them."""
    references = {reference.number: reference for reference in read_references(text, fmt)}
    duplicates = {
        outcome.entry: references[outcome.number]
        for outcome in check_references(list(references.values()))
        if outcome.outcome == Outcome.DUPLICATE and outcome.entry
    }
    changed, columns = [], set()
    for entry in Entry.objects.filter(slug__in=duplicates):
        values = duplicates[entry.slug].values.fields
        blank = {
            name: value
            for name, value in values.items()
            if name not in ("title", "language", "other_variables") and value not in ("", None)
            and getattr(entry, name) in ("", None)
        }  # fmt: skip
        other = {**values.get("other_variables", {}), **(entry.other_variables or {})}
        if other != (entry.other_variables or {}):
            blank["other_variables"] = other
        if blank:
            for name, value in blank.items():
                setattr(entry, name, value)
            changed.append(entry)
            columns.update(blank)
    if changed:
        now = timezone.now()
        for entry in changed:
            entry.updated_at = now  # harvesters see the record changed (OAI-PMH datestamps)
        Entry.objects.bulk_update(changed, sorted(columns | {"updated_at"}))
    return len(changed)


# -- The admin's uploads ------------------------------------------------------------------------------
# Larger files are imported by a background task (gunicorn's timeout is 30 s): over this many records,
# or over this many authors and editors in all (each is validated and written; issue 22, finding 5).
SYNC_IMPORT_LIMIT = 500
SYNC_CREATOR_LIMIT = 2000
# A QUEUED or RUNNING import that has not moved for this long, with no task waiting or running for it,
# died with its request or its worker (a request is killed after 30 s; a background run saves its
# progress every PROGRESS_EVERY records, and a live task is never stale): it may be confirmed again.
STALE_AFTER = timedelta(minutes=5)


def check_upload(*, file_name, text, user):
    """The dry run of an uploaded file: a saved ReferenceImport with each record's outcome, status
    CHECKED. Raises ValueError when the file cannot be read at all (nothing is saved then)."""
    fmt = guess_format(file_name, text)
    if fmt is None:
        raise ValueError(_("This is not a RIS, BibTeX or CSL-JSON file (.ris, .bib, .json)."))
    references = read_references(text, fmt)
    if not references:
        raise ValueError(_("The file holds no references."))
    outcomes = check_references(references)
    counts = {name: sum(o.outcome == name for o in outcomes) for name in Outcome}
    return ReferenceImport.objects.create(
        file_name=file_name[:255],
        format=fmt,
        text=text,
        status=ImportStatus.CHECKED,
        total=len(references),
        new_count=counts[Outcome.NEW],
        duplicate_count=counts[Outcome.DUPLICATE],
        error_count=counts[Outcome.ERROR],
        outcomes=stored_outcomes(outcomes),
        uploaded_by=user,
    )


def is_stale(reference_import, *, now=None):
    """Whether a QUEUED or RUNNING import died before finishing: unchanged for STALE_AFTER and no
    import task waiting or running for it. Nothing of it was written (the import is one transaction),
    so it may be confirmed again."""
    if reference_import.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return False
    if reference_import.updated_at > (now or timezone.now()) - STALE_AFTER:
        return False
    from depository.tasks import import_references_task

    live = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING], task_path=import_references_task.module_path
    ).annotate(target=KT("args_kwargs__args__0"))
    return not live.filter(target=str(reference_import.pk)).exists()


def import_work(reference_import):
    """(records, authors and editors) the import of a checked upload writes."""
    new = [o for o in reference_import.outcomes if o["outcome"] == "new"]
    return len(new), sum(o.get("creators", 0) for o in new)


def confirm_import(reference_import):
    """Import a checked upload (or one whose earlier confirmation died: is_stale): at once when small,
    else by `import_references_task`. Returns it."""
    if reference_import.status != ImportStatus.CHECKED and not is_stale(reference_import):
        return reference_import
    # Only the request that moves it from the state it read runs it (a double click runs once).
    updated = ReferenceImport.objects.filter(
        pk=reference_import.pk, status=reference_import.status, updated_at=reference_import.updated_at
    ).update(status=ImportStatus.QUEUED, processed=0, message="", updated_at=timezone.now())
    reference_import.refresh_from_db()
    if not updated:
        return reference_import
    records, creators = import_work(reference_import)
    if reference_import.total <= SYNC_IMPORT_LIMIT and creators <= SYNC_CREATOR_LIMIT:
        finish_import(reference_import)
    else:
        from depository.tasks import import_references_task

        transaction.on_commit(lambda: import_references_task.enqueue(reference_import.pk))
    return reference_import


def finish_import(reference_import):
    """Run the import of a confirmed upload and record the outcome on it. Returns its status."""

    def progress(done, total):
        ReferenceImport.objects.filter(pk=reference_import.pk).update(processed=done, updated_at=timezone.now())

    ReferenceImport.objects.filter(pk=reference_import.pk).update(
        status=ImportStatus.RUNNING, updated_at=timezone.now()
    )
    try:
        result = run_import(
            text=reference_import.text,
            fmt=reference_import.format,
            user=reference_import.uploaded_by,
            progress=progress,
        )
    except (ValueError, ValidationError) as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        ReferenceImport.objects.filter(pk=reference_import.pk).update(
            status=ImportStatus.FAILED, message=message, finished_at=timezone.now(), updated_at=timezone.now()
        )
        return ImportStatus.FAILED
    ReferenceImport.objects.filter(pk=reference_import.pk).update(
        status=ImportStatus.DONE,
        processed=len(result.outcomes),
        outcomes=stored_outcomes(result.outcomes),
        new_count=sum(o.outcome == Outcome.NEW for o in result.outcomes),
        duplicate_count=sum(o.outcome == Outcome.DUPLICATE for o in result.outcomes),
        error_count=sum(o.outcome == Outcome.ERROR for o in result.outcomes),
        created_count=len(result.entries),
        text="",  # the file is not kept once imported
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return ImportStatus.DONE
