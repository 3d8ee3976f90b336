"""Import a meeting's participant list from CSV: plan (a preview that writes nothing), then commit (all or nothing).

Columns: name, title, organization, city, role, and optionally disclosure. A first row naming the
columns (in any order, in any case, in English, Spanish, French or Arabic: HEADER_WORDS) says which
column is which; without one, the columns are read in that order. A row naming columns anywhere else
is refused, never taken for a person (issue 22, finding 9). Commas, semicolons or tabs separate the
cells. People are matched by name or by one of their other spellings, organizations by name, acronym
or other spellings, cities by name; matching ignores case, accents and repeated spaces. A new name
close to a recorded one ("Achim Wenmann" beside "Achim Wennmann": difflib's ratio of the matching
keys at least NEAR_DUPLICATE_RATIO) is flagged in the preview before anyone is created.
"""

import csv
import difflib
import io
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.spreadsheets import unsafe_cell  # the export's guard against formulas undone
from core.text import clean_text
from meetings.models import Meeting, Participation, ParticipationRole
from people.models import Disclosure, Organization, Person
from places.models import City

MAX_IMPORT_ROWS = 1000
COLUMNS = ["name", "title", "organization", "city", "role", "disclosure"]
# The words a header row may name each column by, compared as `normalize` makes them (no case,
# accents or punctuation): the ones spreadsheets of participants use in the portal's four languages.
HEADER_WORDS = {
    "name": {
        "name",
        "full name",
        "participant",
        "participant name",
        "nombre",
        "nombre completo",
        "nom",
        "nom complet",
        "nom et prenom",
        "prenom et nom",
        "الاسم",
        "اسم",
        "الاسم الكامل",
    },
    "title": {
        "title",
        "job title",
        "position",
        "function",
        "cargo",
        "puesto",
        "titulo",
        "funcion",
        "titre",
        "fonction",
        "poste",
        "المنصب",
        "الوظيفة",
        "اللقب",
    },
    "organization": {
        "organization",
        "organisation",
        "institution",
        "agency",
        "affiliation",
        "organizacion",
        "institucion",
        "entidad",
        "organisme",
        "المنظمة",
        "المؤسسة",
        "الجهة",
    },
    "city": {"city", "town", "ciudad", "ville", "المدينة"},
    "role": {"role", "rol", "الدور"},
    "disclosure": {
        "disclosure",
        "visibility",
        "visibilidad",
        "divulgacion",
        "visibilite",
        "divulgation",
        "الإفصاح",
        "الظهور",
    },
}
HEADER_COLUMN = {word: column for column, words in HEADER_WORDS.items() for word in words}
# How close (difflib.SequenceMatcher's ratio, 0-1) a new person's name must be to a recorded one to be
# flagged: one letter missing or doubled in a name of 12 letters is about 0.96; "Ana Lopez" and
# "Ana Perez" 0.78.
NEAR_DUPLICATE_RATIO = 0.85


def normalize(text: str) -> str:
    """The matching key of a name: no accents, case or punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(character for character in decomposed if not unicodedata.combining(character))
    words = "".join(character if character.isalnum() else " " for character in bare.casefold())
    return " ".join(words.split())


def spellings(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def decode_upload(data: bytes) -> str:
    """The text of an uploaded file, which must be UTF-8 (with or without a byte-order mark)."""
    limit = settings.PARTICIPANT_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ValidationError(
            _("The file is %(size)d bytes; the limit is %(limit)d bytes. Split the list and import it in parts."),
            params={"size": len(data), "limit": limit},
            code="too_large",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _(
                "The file is not UTF-8 text: byte 0x%(byte)02X at position %(position)d is not valid UTF-8 "
                "(the file was probably saved as Latin-1 or Windows-1252). Save it as 'CSV UTF-8' and "
                "upload it again. Nothing was imported."
            ),
            params={"byte": error.object[error.start], "position": error.start},
            code="encoding",
        ) from None


def read_role(value: str) -> ParticipationRole | None:
    """A role by its value or its label, in any case; blank means participant."""
    key = normalize(value)
    if not key:
        return ParticipationRole.PARTICIPANT
    for role in ParticipationRole:
        if key in {normalize(role.value), normalize(str(role.label))}:
            return role
    return None


def read_disclosure(value: str) -> Disclosure | None:
    key = normalize(value)
    if not key:
        return None
    for level in Disclosure:
        if key == level.value or normalize(str(level.label)).startswith(key):
            return level
    return None


@dataclass
class PlannedRow:
    line: int
    name: str
    title: str = ""
    organization_name: str = ""
    city_name: str = ""
    role: str = ParticipationRole.PARTICIPANT
    role_given: bool = False
    disclosure: str = ""
    person: Person | None = None
    organization: Organization | None = None
    city: City | None = None
    participation: Participation | None = None
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def new_person(self) -> bool:
        return self.person is None

    @property
    def new_organization(self) -> bool:
        return bool(self.organization_name) and self.organization is None

    @property
    def new_city(self) -> bool:
        return bool(self.city_name) and self.city is None and self.new_organization


@dataclass
class ImportPlan:
    meeting: Meeting
    rows: list
    errors: list = field(default_factory=list)  # problems with the whole list, not one row

    @property
    def invalid_rows(self) -> list[PlannedRow]:
        return [row for row in self.rows if not row.is_valid]

    @property
    def can_commit(self) -> bool:
        return bool(self.rows) and not self.errors and not self.invalid_rows

    def count(self, predicate: Callable[[PlannedRow], bool]) -> int:
        return sum(1 for row in self.rows if row.is_valid and predicate(row))


class Index:
    """Names, spellings and acronyms of the records a list may refer to, loaded in one query per model."""

    def __init__(self, records: Iterable[Model], keys: Callable[[Model], list[str]]):
        self.by_key = {}
        for record in records:
            for key in keys(record):
                if normalize(key):
                    self.by_key.setdefault(normalize(key), {})[record.pk] = record
        self.keys = list(self.by_key)

    def close_to(self, name):
        """The records with a name or spelling at least NEAR_DUPLICATE_RATIO alike `name`'s, closest first."""
        keys = difflib.get_close_matches(normalize(name), self.keys, n=3, cutoff=NEAR_DUPLICATE_RATIO)
        return list(dict.fromkeys(record for key in keys for record in self.by_key[key].values()))

    def find(self, name: str) -> Model | None:
        """The one record with that name, None if there is none; ValueError listing them if several."""
        found = list(self.by_key.get(normalize(name), {}).values())
        if len(found) > 1:
            raise ValueError("; ".join(sorted(str(record) for record in found)))
        return found[0] if found else None


def header_columns(cells):
    """The column of each cell of a row that names columns (["name", "organization", ...]), or None
    when the row is a person's. ValueError naming the cells that are not columns, or the columns named
    twice, when most of the row names columns but not all of it."""
    named = [HEADER_COLUMN.get(normalize(cell)) for cell in cells]
    filled = [(cell, column) for cell, column in zip(cells, named, strict=True) if cell]
    known = [column for _cell, column in filled if column]
    if not known or len(known) * 2 < len(filled):
        return None
    unknown = [cell for cell, column in filled if column is None]
    repeated = sorted({column for column in known if known.count(column) > 1})
    if unknown or repeated or "name" not in known:
        raise ValueError(", ".join(unknown + repeated) or "name")
    return named


def read_rows(text):
    """[(line number, {column: cell})] of the list's rows with any text, and the header's columns."""
    text = clean_text(text)  # as it will be stored: names compared and validated as they are saved
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [(number, cells) for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1)]
    return [
        (number, [unsafe_cell(cell.strip()) for cell in cells])
        for number, cells in rows
        if any(c.strip() for c in cells)
    ]


def by_column(cells, columns):
    """{column: cell} of one row read by the header's `columns` (None: a cell of no column)."""
    values = dict.fromkeys(COLUMNS, "")
    for cell, column in zip(cells, columns, strict=False):
        if column:
            values[column] = cell
    return values


def plan_participant_import(*, meeting: Meeting, text: str) -> ImportPlan:
    """Read the list and say, row by row, what committing it would do. Writes nothing."""
    try:
        raw_rows = read_rows(text)
    except csv.Error as error:
        return ImportPlan(meeting=meeting, rows=[], errors=[_("The list is not valid CSV: %s") % error])
    if not raw_rows:
        return ImportPlan(meeting=meeting, rows=[], errors=[_("The list is empty.")])
    try:
        columns = header_columns(raw_rows[0][1])
    except ValueError as unknown:
        known = ", ".join(COLUMNS)
        return ImportPlan(
            meeting=meeting,
            rows=[],
            errors=[
                _("The first row names columns, but not these: %(unknown)s (the columns are %(known)s).")
                % {"unknown": unknown, "known": known}
            ],
        )
    if columns:
        raw_rows = raw_rows[1:]
        if not raw_rows:
            return ImportPlan(meeting=meeting, rows=[], errors=[_("The list is empty.")])
    if len(raw_rows) > MAX_IMPORT_ROWS:
        return ImportPlan(
            meeting=meeting,
            rows=[],
            errors=[
                _("The list has %(count)d rows; the limit is %(limit)d.")
                % {"count": len(raw_rows), "limit": MAX_IMPORT_ROWS}
            ],
        )
    people = Index(Person.objects.all(), lambda person: [person.name, *spellings(person.other_spellings)])
    organizations = Index(
        Organization.objects.all(),
        lambda org: [org.name, org.acronym, str(org), *spellings(org.other_spellings)],
    )
    cities = Index(City.objects.all(), lambda city: [city.name])
    listed = {p.person_id: p for p in Participation.objects.filter(meeting=meeting)}
    seen = {}
    rows = [
        plan_row(number, cells, columns or COLUMNS, people, organizations, cities, listed, seen)
        for number, cells in raw_rows
    ]
    return ImportPlan(meeting=meeting, rows=rows)


def plan_row(number, cells, columns, people, organizations, cities, listed, seen):
    values = by_column(cells, columns)
    row = PlannedRow(
        line=number,
        name=values["name"],
        title=values["title"],
        organization_name=values["organization"],
        city_name=values["city"],
    )
    if len(cells) > len(columns):
        row.errors.append(
            _("%(count)d cells; a row has at most %(limit)d.") % {"count": len(cells), "limit": len(columns)}
        )
    try:
        if header_columns(cells):
            row.errors.append(_("This row names columns, like a header: it is not a person. Remove it."))
            return row
    except ValueError:
        pass  # mostly column names, some not: a person would not be named so either, but say what is wrong below
    limits = [
        ("name", row.name, Person._meta.get_field("name").max_length),
        ("title", row.title, Participation._meta.get_field("title").max_length),
        ("organization", row.organization_name, Organization._meta.get_field("name").max_length),
        ("city", row.city_name, City._meta.get_field("name").max_length),
    ]
    for label, value, limit in limits:
        if len(value) > limit:
            row.errors.append(
                _("The %(column)s is longer than %(limit)d characters.") % {"column": label, "limit": limit}
            )
    if not row.name:
        row.errors.append(_("The name is missing."))
    role = read_role(values["role"])
    if role is None:
        choices = ", ".join(str(label) for label in ParticipationRole.labels)
        row.errors.append(
            _("Unknown role '%(role)s' (one of: %(choices)s).") % {"role": values["role"], "choices": choices}
        )
    else:
        row.role, row.role_given = role, bool(values["role"])
    if values["disclosure"]:
        disclosure = read_disclosure(values["disclosure"])
        if disclosure is None:
            row.errors.append(
                _("Unknown disclosure '%(value)s' (public, members or organizers).") % {"value": values["disclosure"]}
            )
        else:
            row.disclosure = disclosure
    for label, index, name, attribute in [
        (_("people"), people, row.name, "person"),
        (_("organizations"), organizations, row.organization_name, "organization"),
        (_("cities"), cities, row.city_name, "city"),
    ]:
        if not name:
            continue
        try:
            setattr(row, attribute, index.find(name))
        except ValueError as several:
            row.errors.append(
                _("'%(name)s' matches several %(kind)s (%(found)s): merge them first.")
                % {"name": name, "kind": label, "found": several}
            )
    if row.name:
        key = row.person.pk if row.person else normalize(row.name)
        if key in seen:
            row.errors.append(_("The same person is already on line %(line)d of this list.") % {"line": seen[key]})
        else:
            seen[key] = number
    if row.name and row.person is None and not row.errors:
        near = [person.name for person in people.close_to(row.name)]
        # New people earlier in this list (`seen` keys them by their matching key).
        earlier = [key for key in seen if isinstance(key, str) and key != normalize(row.name)]
        near += difflib.get_close_matches(normalize(row.name), earlier, n=3, cutoff=NEAR_DUPLICATE_RATIO)
        if near:
            row.notes.append(
                _(
                    "Not recorded, but close to %(names)s: if this is the same person, correct the spelling "
                    "(or add it to their other spellings) before importing; otherwise a new person is created."
                )
                % {"names": "; ".join(f"“{name}”" for name in dict.fromkeys(near))}
            )
    if row.person and row.person.pk in listed:
        row.participation = listed[row.person.pk]
        row.notes.append(_("Already on this meeting's list: the row updates the title, organization and role."))
    if row.person and row.disclosure and row.disclosure != row.person.disclosure:
        row.notes.append(_("Existing person: the disclosure level is left as it is."))
    if row.city_name and not row.organization_name:
        row.notes.append(_("The city is recorded only with an organization; it is left out."))
    return row


@dataclass
class ImportResult:
    people_created: int = 0
    organizations_created: int = 0
    cities_created: int = 0
    participations_created: int = 0
    participations_updated: int = 0


def unique_slug(model: type[Model], text: str, fallback: str) -> str:
    base = (slugify(text) or fallback)[:180]
    slug, number = base, 1
    while model.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def saved[M: Model](instance: M) -> M:
    instance.full_clean()
    instance.save()
    return instance


def import_participants(*, meeting: Meeting, text: str) -> ImportResult:
    """Write the whole list to the meeting in one transaction, or nothing when any row is invalid."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)  # one import per meeting at a time
        plan = plan_participant_import(meeting=meeting, text=text)
        if not plan.can_commit:
            problems = plan.errors + [
                _("Line %(line)d: %(errors)s") % {"line": row.line, "errors": " ".join(row.errors)}
                for row in plan.invalid_rows
            ]
            raise ValidationError(problems or _("Nothing to import."))
        result = ImportResult()
        new_cities, new_organizations = {}, {}
        position = (meeting.participations.aggregate(last=Max("position"))["last"] or 0) + 1
        for row in plan.rows:
            organization = row.organization
            if row.new_organization:
                key = normalize(row.organization_name)
                if key not in new_organizations:
                    city = row.city
                    if row.city_name and city is None:
                        city_key = normalize(row.city_name)
                        if city_key not in new_cities:
                            new_cities[city_key] = saved(
                                City(name=row.city_name, slug=unique_slug(City, row.city_name, "city"))
                            )
                            result.cities_created += 1
                        city = new_cities[city_key]
                    new_organizations[key] = saved(
                        Organization(
                            name=row.organization_name,
                            slug=unique_slug(Organization, row.organization_name, "organization"),
                            city=city,
                        )
                    )
                    result.organizations_created += 1
                organization = new_organizations[key]
            person = row.person
            if person is None:
                person = saved(
                    Person(
                        name=row.name,
                        slug=unique_slug(Person, row.name, "person"),
                        disclosure=row.disclosure or Disclosure.PUBLIC,
                    )
                )
                result.people_created += 1
            participation = row.participation
            if participation is None:
                saved(
                    Participation(
                        meeting=meeting,
                        person=person,
                        title=row.title,
                        organization=organization,
                        role=row.role,
                        position=position,
                    )
                )
                position += 1
                result.participations_created += 1
            else:
                participation.title = row.title or participation.title
                participation.organization = organization or participation.organization
                if row.role_given:
                    participation.role = row.role
                saved(participation)
                result.participations_updated += 1
        return result
