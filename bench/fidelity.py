"""The fidelity yardstick (issue 20): how much of a bibliographic record survives the portal's import
and each of its RIS, BibTeX and CSL-JSON exports, measured on real files as reference managers
export them (tests/fixtures/references/, SOURCES.md there).

    make fidelity                    # every fixture file; prints a table, writes bench/fidelity.json
    python bench/fidelity.py FILE... # some files (DATABASE_URL names the database it works in)

It relies on nothing of the portal but `depository.references.run_import`, the export registry
(`depository.exports.registered()`), and the Entry's concrete field values read generically, so it
measures today's code and any rewrite of the readers, the writers or the model alike.

What is counted: the "fields a reference manager reads", enumerated with the raw libraries, not
with the portal's readers:
- RIS: `rispy.loads` with its default tag mapping (unknown tags come under `unknown_tag`), every tag
  read as a list so a repeated tag (two `AD`, two `SN`) counts each value.
- BibTeX/BibLaTeX: `bibtexparser.parse_string` with LatexDecodingMiddleware, SeparateCoAuthors and
  SplitNameParts. An entry written without a citation key (EndNote writes them) is read by giving
  it one; `@string`, `@preamble` and `@comment` blocks (JabRef's groups and metadata) are no record.
- CSL-JSON: `json`; each scalar of a nested value (a name's parts aside) counts under `key.subkey`.
A unit is one (record, field, value): every non-empty field of every record; authors, editors,
keywords and URLs per value; the item type once, as field "type". Left out, as no reference manager
imports them as data: RIS `ER` (the end of a record) and `ID` (the exporting database's record
number), the BibTeX citation key and CSL's `id` and `citation-key` (each only names the record inside
its file). Notes, abstracts, custom fields, and attachment paths (RIS `L1`/`L2`/`L4`, BibTeX `file`)
are counted: Zotero, EndNote and JabRef import them (attachment paths as linked files), so a record
that drops them is not the whole record.

Kept on import: the unit's normalised value is found among the stored entry's values (every concrete
field of the Entry, a choice also by its label, JSON values flattened, the creators' family/given/
name, the tags). Kept through an export: found among the values of the exported record, read back
with the same raw library. Normalisation: Unicode NFC, braces dropped, whitespace collapsed,
case-folded, trailing punctuation stripped; a value of four characters or more is also found inside
a longer value (as a whole word), a shorter one only as a whole value, a line, the value of a
"Name: value" line or one end of a range. Names: family name (+ initial of the given name). Dates:
their year/month/day components (a stored date with more precision keeps one with less). Pages:
`-`, `–`, `—` and `--` are one. DOI, ISBN, ISSN: compared normalised (python-stdnum for ISBN/ISSN);
one that is not a valid identifier is kept only when its text is. The item type: kept when a stored
(or exported) type belongs to the same family of TYPE_FAMILIES.

Records are matched to entries in order (the import's outcomes give record number -> entry slug;
by title where the portal reads a different number of records than the raw library). A record the
import reports as a duplicate of an earlier record of the file counts as kept when that record was
imported (and of an entry already in the database, against that entry); a record in error loses all
its units; a file refused whole (ValueError, or no record imported) loses all and is listed. Each
file is imported inside a transaction that is rolled back, so files never meet as duplicates.
"""

import argparse
import dataclasses
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import bibtexparser
import rispy
from bibtexparser import middlewares
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn

BASE_DIR = Path(__file__).resolve().parent.parent
FIXTURES = BASE_DIR / "tests" / "fixtures" / "references"
RESULTS = BASE_DIR / "bench" / "fidelity.json"
EXPORTS = ("ris", "bibtex", "csl_json")  # the registry's names of the formats measured
IMPORT_FORMATS = {"ris": "ris", "bibtex": "bibtex", "csl_json": "csl-json"}  # what run_import calls them
THRESHOLD = 95.0  # the "Done when": percent kept on import and through each export

# -- what a record holds ---------------------------------------------------------------------------
RIS_EXCLUDED = {"ER", "ID"}
RIS_LIST_TAGS = [tag for tag in rispy.TAG_KEY_MAPPING if tag not in ("TY", "ID", "ER", "UK")]
RIS_TAG_OF = {key: tag for tag, key in rispy.TAG_KEY_MAPPING.items()}
RIS_NAME_TAGS = {"AU", "A1", "A2", "A3", "A4", "TA"}
RIS_DATE_TAGS = {"PY", "Y1", "Y2", "DA"}
RIS_PAGE_TAGS = {"SP", "EP"}
RIS_IDENTIFIERS = {"DO": "doi", "SN": "sn"}
# BibTeX's and BibLaTeX's name lists: SeparateCoAuthors splits the first three, the rest are split here
# on " and " as BibLaTeX does.
BIBTEX_NAME_FIELDS = {
    "author", "editor", "translator", "holder", "annotator", "commentator", "introduction", "foreword",
    "afterword", "bookauthor", "editora", "editorb", "editorc", "shortauthor", "shorteditor",
}  # fmt: skip
BIBTEX_SPLIT_FIELDS = {"keywords": r"[,;]", "url": r"\s+"}
BIBTEX_IDENTIFIERS = {"doi": "doi", "isbn": "isbn", "issn": "issn"}
BIBTEX_EXCLUDED = {"ids"}  # BibLaTeX's other citation keys of the same record
CSL_EXCLUDED = {"id", "citation-key"}
CSL_IDENTIFIERS = {"DOI": "doi", "ISBN": "isbn", "ISSN": "issn"}
MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip

# Item types by family, across RIS, BibTeX/BibLaTeX and CSL (lower case). A type kept "in its family"
# is kept: RIS JOUR, BibTeX article and CSL article-journal are one journal article. A type in no
# family is its own family. The stored type is read from the fields with choices or "type"/"kind" in their name.
TYPE_FAMILIES = {
    "article": "jour, journal article, ejour, jfull, abst, inpr, article, article-journal, periodical, suppperiodical",
    "magazine": "mgzn, magazine article, article-magazine",
    "newspaper": "news, newspaper article, article-newspaper",
    "book": "book, ebook, edbook, edited book, whole book, mvbook, bookinbook, collection, mvcollection, reference, "
    "mvreference, proceedings, mvproceedings, booklet, manual",
    "chapter": "chap, echap, book section, incollection, inbook, suppbook, inreference, chapter, entry-encyclopedia, "
    "entry-dictionary, entry, encyc, dict",
    "paper-conference": "conf, cpaper, conference paper, conference proceedings, inproceedings, conference, "
    "paper-conference",
    "thesis": "thes, thesis, phdthesis, mastersthesis",
    "report": "rprt, report, techreport",
    "webpage": "elec, web page, online, electronic, www, webpage, post-weblog, post",
    "manuscript": "unpb, manuscript, unpublished",
    "dataset": "data, dataset, aggr, dbase",
    "software": "comp, computer program, software, softwareversion, softwaremodule, codefragment",
    "patent": "pat, patent",
    "legal": "case, legal case, legal_case, bill, legislation, statute, regulation, law, legal",
    "motion": "mpct, motion picture, video, vid, film, motion_picture, broadcast, audio, sound, music, song",
    "map": "map",
    "speech": "slide, speech, presentation, lecture, talk",
    "communication": "pcomm, letter, personal communication, personal_communication, interview",
    "misc": "gen, misc, generic, std, standard, document",
}
FAMILY_OF = {name.strip(): family for family, names in TYPE_FAMILIES.items() for name in names.split(",")}


def type_family(name):
    text = normalise(name)
    return FAMILY_OF.get(text, text)


@dataclasses.dataclass(frozen=True)
class Unit:
    """One (record, field, value): `field` as the source format names it, `kind` how it compares."""

    field: str
    value: object
    kind: str = "text"  # text, name, date, page, type, doi, isbn, issn, sn


def ris_units(record):
    units = []
    for key, value in record.items():
        if key == "type_of_reference":
            units.append(Unit("TY", value, "type"))
            continue
        if key == "unknown_tag":
            for tag, values in value.items():
                units += [Unit(tag, item) for item in values if str(item).strip()]
            continue
        tag = RIS_TAG_OF.get(key, key)
        if tag in RIS_EXCLUDED:
            continue
        kind = (
            "name" if tag in RIS_NAME_TAGS else "date" if tag in RIS_DATE_TAGS
            else "page" if tag in RIS_PAGE_TAGS else RIS_IDENTIFIERS.get(tag, "text")
        )  # fmt: skip
        for item in value if isinstance(value, list) else [value]:
            if str(item).strip():
                units.append(Unit(tag, str(item), kind if kind != "date" or date_parts(item) else "text"))
    return units


def bibtex_name_text(name):
    """A bibtexparser NameParts (or an unsplit string) as 'Family, Given'."""
    if isinstance(name, str):
        return name
    family = " ".join([*name.von, *name.last])
    given = " ".join(name.first)
    return ", ".join(part for part in (family, given, " ".join(name.jr)) if part)


def bibtex_units(entry):
    units = [Unit("type", entry.entry_type, "type")]
    fields = {field.key.lower(): field.value for field in entry.fields}
    year = fields.get("year")
    for name, value in fields.items():
        if name in BIBTEX_EXCLUDED:
            continue
        if name in BIBTEX_NAME_FIELDS:
            names = value if isinstance(value, list) else [value]
            for item in names:
                parts = re.split(r"\s+and\s+", item) if isinstance(item, str) else [item]
                units += [
                    Unit(name, bibtex_name_text(part), "name") for part in parts if bibtex_name_text(part).strip()
                ]
            continue
        text = str(value).strip()
        if not text:
            continue
        if name in BIBTEX_SPLIT_FIELDS:
            units += [Unit(name, part.strip()) for part in re.split(BIBTEX_SPLIT_FIELDS[name], text) if part.strip()]
        elif name == "month":
            month = MONTHS.get(normalise(text)[:3]) or (int(text) if text.isdigit() and 1 <= int(text) <= 12 else None)
            parts = date_parts(str(year)) if year else ()
            if month and parts:
                units.append(Unit(name, (parts[0], month), "date"))
            else:
                units.append(Unit(name, month or text, "month" if month else "text"))
        elif name in ("year", "date", "urldate", "origdate", "eventdate") or name.endswith("date"):
            units.append(Unit(name, text, "date" if date_parts(text) else "text"))
        elif name == "pages":
            units.append(Unit(name, text, "page"))
        else:
            units.append(Unit(name, text, BIBTEX_IDENTIFIERS.get(name, "text")))
    return units


def csl_units(item):
    units = []
    for key, value in item.items():
        if key in CSL_EXCLUDED or value in (None, "", [], {}):
            continue
        if key == "type":
            units.append(Unit("type", value, "type"))
        elif isinstance(value, list) and all(isinstance(part, dict) for part in value):
            units += [Unit(key, csl_name_text(part), "name") for part in value if csl_name_text(part)]
        elif isinstance(value, dict) and ("date-parts" in value or "raw" in value or "literal" in value):
            parts = csl_date_parts(value)
            literal = value.get("literal") or value.get("raw") or json.dumps(value, ensure_ascii=False)
            units.append(Unit(key, parts, "date") if parts else Unit(key, str(literal)))
        elif isinstance(value, dict):
            units += [Unit(f"{key}.{sub}", str(part)) for sub, part in flatten(value) if str(part).strip()]
        elif key == "keyword":
            units += [Unit(key, part.strip()) for part in re.split(r"[,;]", str(value)) if part.strip()]
        elif key == "page":
            units.append(Unit(key, str(value), "page"))
        elif isinstance(value, list):
            units += [Unit(key, str(part)) for part in value if str(part).strip()]
        else:
            units.append(Unit(key, str(value), CSL_IDENTIFIERS.get(key, "text")))
    return units


def csl_name_text(name):
    if name.get("family"):
        given = name.get("given", "")
        return ", ".join(
            part
            for part in (" ".join(filter(None, [name.get("non-dropping-particle"), name["family"]])), given)
            if part
        )
    return name.get("literal") or name.get("given") or ""


def csl_date_parts(value):
    parts = value.get("date-parts") or []
    if parts and parts[0] and str(parts[0][0]).strip():
        try:
            return tuple(int(part) for part in parts[0])
        except (TypeError, ValueError):
            return ()
    return date_parts(value.get("raw") or value.get("literal") or "")


def flatten(value, prefix=""):
    """(path, scalar) pairs of a nested JSON value."""
    if isinstance(value, dict):
        for key, part in value.items():
            yield from flatten(part, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for part in value:
            yield from flatten(part, prefix)
    elif value not in (None, ""):
        yield prefix, value


def read_bibtex(text):
    """The records of a BibTeX file, each a bibtexparser Entry, in the file's order."""
    stack = [middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()]
    library = bibtexparser.parse_string(text, append_middleware=stack)
    blocks = [(entry.start_line or 0, entry) for entry in library.entries]
    for failed in library.failed_blocks:
        entry = getattr(failed, "ignore_error_block", None)
        if isinstance(entry, bibtexparser.model.Entry):
            blocks.append((failed.start_line or 0, entry))
            continue
        keyless = re.match(r"\s*@(\w+)\s*\{\s*\n", failed.raw or "")
        if keyless:  # an entry without a citation key, as EndNote writes them: give it one
            raw = f"@{keyless.group(1)}{{fidelity-{failed.start_line},\n" + block_text(text, failed.start_line)
            blocks += [
                (failed.start_line or 0, entry)
                for entry in bibtexparser.parse_string(raw, append_middleware=stack).entries
            ]
    return [entry for _line, entry in sorted(blocks, key=lambda pair: pair[0])]


def block_text(text, start_line):
    """The lines of a file after an entry's first line, up to the next entry."""
    lines = text.splitlines(keepends=True)[start_line + 1 :]
    end = next((n for n, line in enumerate(lines) if re.match(r"\s*@\w+\s*\{", line)), len(lines))
    return "".join(lines[:end])


def read_records(text, fmt):
    """[[Unit, ...] per record] of a file, read with the raw library of its format."""
    text = text.lstrip("\ufeff")
    if fmt == "ris":
        return [ris_units(record) for record in rispy.loads(text, list_tags=RIS_LIST_TAGS)]
    if fmt == "bibtex":
        return [bibtex_units(entry) for entry in read_bibtex(text)]
    items = json.loads(text)
    return [csl_units(item) for item in (items if isinstance(items, list) else [items])]


def format_of(path):
    return {".ris": "ris", ".bib": "bibtex", ".json": "csl_json"}[Path(path).suffix.lower()]


def record_title(units):
    for field in ("TI", "T1", "title", "CT", "BT"):
        for unit in units:
            if unit.field == field:
                return str(unit.value)
    return ""


# -- normalisation and the values of a record ------------------------------------------------------
TRAILING = ".,;:/ "


def normalise(value):
    text = unicodedata.normalize("NFC", str(value)).replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip().casefold().rstrip(TRAILING).strip()


def normalise_page(value):
    return re.sub(r"\s*(?:-|–|—|‐|‑)+\s*", "-", normalise(value))


def date_parts(value):
    """(year, month, day) components of a date written as text, as far as given; () if none."""
    match = re.match(r"\s*(\d{4})(?:[-/.](\d{1,2})?(?:[-/.](\d{1,2}))?)?", str(value))
    if not match:
        return ()
    parts = [int(match.group(1))]
    for group in (2, 3):
        if not match.group(group) or int(match.group(group)) == 0:
            break
        parts.append(int(match.group(group)))
    return tuple(parts)


def all_dates(text):
    return {date_parts(found.group(0)) for found in re.finditer(r"\d{4}(?:[-/.]\d{1,2}(?:[-/.]\d{1,2})?)?", text)}


def normalise_doi(value):
    text = normalise(value)
    text = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|//doi\.org/)", "", text)
    return text if re.fullmatch(r"10\.\d{4,9}/\S+", text) else ""


def isbn_form(value):
    compact = stdnum_isbn.compact(str(value)) if value else ""
    return stdnum_isbn.to_isbn13(compact) if compact and stdnum_isbn.is_valid(compact) else ""


def issn_form(value):
    compact = stdnum_issn.compact(str(value)) if value else ""
    return compact.upper() if compact and stdnum_issn.is_valid(compact) else ""


def name_key(text):
    """(family, initial of the given name) of a name written 'Family, Given' or 'Given Family'."""
    text = normalise(text)
    if "," in text:
        family, _, given = text.partition(",")
    else:
        given, _, family = text.rpartition(" ")
    family, given = family.strip(), given.strip().lstrip(".")
    return family, given[:1]


class Values:
    """Everything a stored entry (or an exported record) holds, ready to compare units against."""

    def __init__(self, texts=(), names=(), dates=(), types=()):
        self.whole = set()  # whole values, lines, "Name: value" values, ends of ranges
        self.long = []  # the normalised values, to find a longer unit inside
        self.names = set()
        self.families = set()
        self.dates = set(dates)
        self.types = {type_family(name) for name in types if name}
        self.identifiers = set()
        for text in texts:
            self.add_text(text)
        for family, given in names:
            self.add_name(family, given)

    def add_text(self, value):
        text = str(value)
        if not text.strip():
            return
        full = normalise(text)
        self.long.append(full)
        self.whole.add(full)
        self.whole.add(normalise_page(text))
        for line in re.split(r"[\r\n]+", text):
            for part in [line, line.partition(":")[2], *re.split(r"[;,]", line)]:
                if part.strip():
                    self.whole.add(normalise(part))
            ends = re.fullmatch(r"\s*(\w+)\s*(?:-|–|—)+\s*(\w+)\s*", line)
            if ends:
                self.whole.update(normalise(end) for end in ends.groups())
        self.dates |= {parts for parts in all_dates(text) if parts}
        for found in re.findall(r"10\.\d{4,9}/[^\s,;\"'<>]+", text):
            self.identifiers.add(("doi", normalise_doi(found)))
        for token in {text, *re.split(r"[\s;,]+", text)}:
            if isbn_form(token):
                self.identifiers.add(("isbn", isbn_form(token)))
            if issn_form(token):
                self.identifiers.add(("issn", issn_form(token)))

    def add_name(self, family, given=""):
        if family:
            key = (normalise(family), normalise(given)[:1])
            self.names.add(key)
            self.families.add(key[0])
        elif given:
            self.add_text(given)

    def has_text(self, value):
        text = normalise(value)
        if not text:
            return True
        if text in self.whole or normalise_page(value) in self.whole:
            return True
        if len(text) < 4:
            return False
        pattern = re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")
        return any(text in long and pattern.search(long) for long in self.long)

    def keeps(self, unit):
        value = unit.value
        if unit.kind == "type":
            return type_family(value) in self.types
        if unit.kind == "name":
            family, initial = name_key(value)
            if (family, initial) in self.names or (not initial and family in self.families):
                return True
            whole = normalise(value)
            return whole in self.families or self.has_text(value)
        if unit.kind == "date":
            parts = tuple(value) if isinstance(value, tuple | list) else date_parts(value)
            return any(stored[: len(parts)] == parts for stored in self.dates) if parts else self.has_text(value)
        if unit.kind == "month":
            return any(len(stored) > 1 and stored[1] == value for stored in self.dates) or self.has_text(str(value))
        if unit.kind == "page":
            return normalise_page(value) in self.whole or self.has_text(value)
        if unit.kind in ("doi", "isbn", "issn", "sn"):
            return self.keeps_identifier(unit.kind, value)
        return self.has_text(value)

    def keeps_identifier(self, kind, value):
        found = []
        if kind == "doi" and normalise_doi(value):
            found = [("doi", normalise_doi(value))]
        elif kind in ("isbn", "issn", "sn"):
            whole = isbn_form(value) or issn_form(value)
            for token in [value] if whole else re.split(r"[\s;,]+(?=[0-9])", str(value)):
                if kind in ("isbn", "sn") and isbn_form(token):
                    found.append(("isbn", isbn_form(token)))
                elif kind in ("issn", "sn") and issn_form(token):
                    found.append(("issn", issn_form(token)))
        if found:
            return all(identifier in self.identifiers for identifier in found)
        return self.has_text(value)  # not a valid identifier: kept only if its text is


# -- the stored entry, generically -----------------------------------------------------------------
BOOKKEEPING = {"id", "slug", "status", "created_at", "updated_at", "published_at", "kind"}


def entry_values(entry):
    """Values of an Entry, read generically: every concrete field (a choice also by its label; JSON
    flattened, keys too for "Name: value" pairs), the creators, the tags."""
    texts, dates, types = [], set(), []
    for field in entry._meta.concrete_fields:
        if field.name in BOOKKEEPING or field.is_relation or field.get_internal_type() in ("SearchVectorField",):
            continue
        value = getattr(entry, field.attname)
        if value in (None, "", [], {}):
            continue
        if hasattr(value, "year") and hasattr(value, "month"):
            dates.add((value.year, value.month, value.day))
            texts.append(value.isoformat())
        elif isinstance(value, dict | list):
            dates |= set(json_dates(value))
            for path, scalar in flatten(value):
                texts.append(str(scalar))
                texts.append(f"{path}: {scalar}")
        else:
            texts.append(str(value))
            if isinstance(value, int) and ("year" in field.name or 1000 <= value <= 2200):
                dates.add((value,))
        if field.choices:
            label = getattr(entry, f"get_{field.name}_display")()
            texts.append(str(label))
        if field.choices or "type" in field.name or "kind" in field.name:  # the item type, wherever it is kept
            types.append(str(value))
    names = []
    for creator in entry.creators.all():
        family, given, name = (getattr(creator, part, "") or "" for part in ("family", "given", "name"))
        if family:
            names.append((family, given))
        if name:
            texts.append(name)
            names.append(name_key(name) if not family else (family, given))
            names.append((name, ""))
    texts += list(entry.tags.names())
    return Values(texts=texts, names=names, dates=dates, types=types)


def json_dates(value):
    """The (year, month, day) of every CSL date ({"date-parts": ...}) inside a JSON value."""
    if isinstance(value, dict):
        if "date-parts" in value or "raw" in value:
            parts = csl_date_parts(value)
            if parts:
                yield parts
        for part in value.values():
            yield from json_dates(part)
    elif isinstance(value, list):
        for part in value:
            yield from json_dates(part)


def export_values(units):
    """Values of an exported record read back with the raw library (its units)."""
    values = Values()
    for unit in units:
        if unit.kind == "type":
            values.types.add(type_family(unit.value))
        elif unit.kind == "name":
            family, initial = name_key(unit.value)
            values.names.add((family, initial))
            values.families.add(family)
            values.add_text(unit.value)
        elif unit.kind == "date":
            parts = tuple(unit.value) if isinstance(unit.value, tuple | list) else date_parts(unit.value)
            values.dates.add(parts)
            values.add_text(unit.value if isinstance(unit.value, str) else "-".join(map(str, parts)))
        else:
            values.add_text(unit.value)
    return values


# -- measuring -------------------------------------------------------------------------------------
@dataclasses.dataclass
class Tally:
    units: int = 0
    imported: int = 0
    exported: dict = dataclasses.field(default_factory=lambda: dict.fromkeys(EXPORTS, 0))

    def add(self, other):
        self.units += other.units
        self.imported += other.imported
        for name in EXPORTS:
            self.exported[name] += other.exported[name]


@dataclasses.dataclass
class FileResult:
    path: str
    fmt: str
    records: int = 0
    refused_whole: str = ""
    crashes: list = dataclasses.field(default_factory=list)
    by_field: dict = dataclasses.field(default_factory=lambda: defaultdict(Tally))
    lost: list = dataclasses.field(default_factory=list)  # (record, field, value, where)


def organizer_viewer():
    from django.contrib.auth.models import User

    from core.roles import sync_organizers_group
    from people.privacy import Viewer

    user = User.objects.create(username="fidelity-organizer", is_staff=True, is_active=True)
    user.groups.add(sync_organizers_group())
    return Viewer(user)


def align(records, outcomes):
    """outcome (or None) per record of the raw library, by number, or by title when the portal read a
    different number of records."""
    if len(records) == len(outcomes):
        return list(outcomes)
    aligned, start = [], 0
    for units in records:
        title = normalise(record_title(units))
        found = next((i for i in range(start, len(outcomes)) if normalise(outcomes[i].title) == title), None)
        aligned.append(outcomes[found] if found is not None else None)
        start = found + 1 if found is not None else start
    return aligned


def exported_records(fmt, entries, viewer):
    """{entry pk: [Unit, ...]} of the export of `entries` in `fmt`, read back with the raw library."""
    from depository import exports
    from depository.models import Entry
    from depository.packs import for_export

    found = {export.name: export for export in exports.registered()}[fmt]
    prefetched = {e.pk: e for e in for_export(Entry.objects.filter(pk__in=[e.pk for e in entries]))}
    ordered = [prefetched[entry.pk] for entry in entries]
    text = found.write(ordered, viewer, lambda entry: f"https://portal.invalid/depository/{entry.slug}/")
    records = read_records(text, fmt)
    if len(records) == len(ordered):
        return {entry.pk: units for entry, units in zip(ordered, records, strict=True)}
    by_title = {normalise(record_title(units)): units for units in records}
    return {entry.pk: by_title.get(normalise(entry.title), []) for entry in ordered}


def measure_file(path, viewer=None):
    """Import one file (inside a transaction rolled back at the end) and export what it became."""
    from django.db import transaction

    from depository.models import Entry
    from depository.references import guess_format, run_import

    path = Path(path)
    fmt = format_of(path)
    result = FileResult(path=str(path.relative_to(FIXTURES) if path.is_relative_to(FIXTURES) else path), fmt=fmt)
    text = path.read_bytes().decode("utf-8-sig")
    records = read_records(text, fmt)
    result.records = len(records)

    def tally(number, units, imported_values, exported):
        for unit in units:
            tally_ = result.by_field[f"{fmt}:{unit.field}"]
            tally_.units += 1
            kept = imported_values is not None and imported_values.keeps(unit)
            tally_.imported += kept
            if not kept:
                result.lost.append((number, unit.field, str(unit.value)[:120], "import"))
            for name in EXPORTS:
                values = exported.get(name)
                kept_out = values is True or (values is not None and values is not False and values.keeps(unit))
                tally_.exported[name] += kept_out
                if not kept_out and kept:
                    result.lost.append((number, unit.field, str(unit.value)[:120], name))

    with transaction.atomic():
        viewer = viewer or organizer_viewer()
        try:
            with transaction.atomic():
                outcome = run_import(text=text, fmt=guess_format(path.name, text) or IMPORT_FORMATS[fmt])
        except Exception as error:  # noqa: BLE001 - a file refused whole, for whatever reason, is measured as such
            outcome = None
            result.refused_whole = f"{type(error).__name__}: {error}"[:300]
        if outcome is not None and not outcome.entries and not any(o.outcome == "duplicate" for o in outcome.outcomes):
            result.refused_whole = (
                "no record imported: " + "; ".join(sorted({o.reason for o in outcome.outcomes}))[:300]
            )
        if result.refused_whole:
            for number, units in enumerate(records, start=1):
                tally(number, units, None, {})
            transaction.set_rollback(True)
            return result
        entries = {entry.slug: entry for entry in outcome.entries}
        exported = {}
        for name in EXPORTS:
            try:
                exported[name] = exported_records(name, outcome.entries, viewer)
            except Exception as error:  # noqa: BLE001 - an exporter's crash loses what it would have written
                result.crashes.append(f"{name} export: {type(error).__name__}: {error}"[:300])
                exported[name] = {}
        by_number = {}
        for number, (units, found) in enumerate(zip(records, align(records, outcome.outcomes), strict=True), start=1):
            by_number[found.number if found else -number] = number
            stored, out = None, {}
            if found is not None and found.outcome == "new" and found.entry in entries:
                entry = Entry.objects.prefetch_related("creators", "tags").get(pk=entries[found.entry].pk)
                stored = entry_values(entry)
                out = {
                    name: export_values(exported[name].get(entry.pk, [])) if exported[name] else False
                    for name in EXPORTS
                }
            elif found is not None and found.outcome == "duplicate":
                earlier = re.search(r"\d+", found.reason or "")
                if found.entry and Entry.objects.filter(slug=found.entry).exists():
                    entry = Entry.objects.prefetch_related("creators", "tags").get(slug=found.entry)
                    stored = entry_values(entry)
                    out = dict.fromkeys(EXPORTS, True)
                elif earlier and any(
                    o.number == int(earlier.group(0)) and o.outcome == "new" for o in outcome.outcomes
                ):
                    stored = True
                    out = dict.fromkeys(EXPORTS, True)
            if stored is True:
                for unit in units:
                    tally_ = result.by_field[f"{fmt}:{unit.field}"]
                    tally_.units += 1
                    tally_.imported += 1
                    for name in EXPORTS:
                        tally_.exported[name] += 1
            else:
                tally(number, units, stored, out)
        transaction.set_rollback(True)
    return result


def measure(paths):
    """The fidelity of every file: a dict (totals, per field, per file, files refused whole)."""
    files = [measure_file(path) for path in paths]
    fields, total = defaultdict(Tally), Tally()
    for result in files:
        for name, tally_ in result.by_field.items():
            fields[name].add(tally_)
            total.add(tally_)

    def percent(part, whole):
        return round(100.0 * part / whole, 1) if whole else 100.0

    def row(tally_):
        return {
            "units": tally_.units,
            "import": tally_.imported,
            **{name: tally_.exported[name] for name in EXPORTS},
            "import_pct": percent(tally_.imported, tally_.units),
            **{f"{name}_pct": percent(tally_.exported[name], tally_.units) for name in EXPORTS},
        }

    return {
        "files": len(files),
        "records": sum(result.records for result in files),
        "total": row(total),
        "fields": {name: row(fields[name]) for name in sorted(fields, key=lambda n: (-fields[n].units, n))},
        "refused_whole": {result.path: result.refused_whole for result in files if result.refused_whole},
        "crashes": {result.path: result.crashes for result in files if result.crashes},
        "per_file": {
            result.path: {"fmt": result.fmt, "records": result.records, **row(sum_tally(result))} for result in files
        },
        "lost": {result.path: result.lost for result in files if result.lost},
    }


def sum_tally(result):
    total = Tally()
    for tally_ in result.by_field.values():
        total.add(tally_)
    return total


def fixture_files():
    return sorted(path for path in FIXTURES.rglob("*") if path.suffix in (".ris", ".bib", ".json"))


def table(report):
    head = f"{'field':32} {'units':>6} {'import':>7} {'RIS':>7} {'BibTeX':>7} {'CSL':>7}"
    lines = [head, "-" * len(head)]

    def line(name, row):
        cells = [row["import_pct"], *(row[f"{name_}_pct"] for name_ in EXPORTS)]
        return f"{name:32} {row['units']:>6} " + " ".join(f"{cell:>6.1f}%" for cell in cells)

    for name, row in report["fields"].items():
        lines.append(line(name, row))
    lines += ["-" * len(head), line("TOTAL", report["total"])]
    lines.append(f"{report['files']} files, {report['records']} records (works)")
    lines.append("files refused whole: " + (", ".join(report["refused_whole"]) or "none"))
    for path, crashes in report["crashes"].items():
        lines.append(f"crash: {path}: {'; '.join(crashes)}")
    return "\n".join(lines)


def meets_threshold(report):
    total = report["total"]
    return not report["refused_whole"] and all(total[f"{name}_pct"] >= THRESHOLD for name in ("import", *EXPORTS))


# -- the command -----------------------------------------------------------------------------------
FIDELITY_DB = os.environ.get("FIDELITY_DATABASE", "twg_portal_fidelity")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="files to measure (default: tests/fixtures/references)")
    parser.add_argument("--json", default=str(RESULTS), help="where to write the results")
    parser.add_argument("--no-setup", action="store_true", help="use DATABASE_URL as it is (migrated)")
    args = parser.parse_args(argv)
    if not args.no_setup:
        # A database of its own (like bench/run.py's): created and migrated if need be; every file is
        # imported in a transaction that is rolled back, so it stays empty.
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{FIDELITY_DB}"
        for command in (["ensure_database"], ["migrate", "--no-input", "-v0"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=BASE_DIR, check=True)
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twg_portal.settings")
    import django

    django.setup()
    report = measure([Path(path).resolve() for path in args.files] or fixture_files())
    Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n")
    print(table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
