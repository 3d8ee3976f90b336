"""The one mapping between a depository Entry and a CSL-JSON item (CSL 1.0.2's variables, the
`csl-data.json` schema: https://github.com/citation-style-language/schema).

CSL-JSON is the pivot of every bibliographic format (docs/citations.md): the readers turn a RIS,
BibTeX or CSL-JSON record into a CSL item and `entry_values(item)` turns that into the Entry's fields;
the writers start from `csl_item(entry, viewer)` and write RIS, BibTeX, Highwire tags, JSON-LD and
Dublin Core from it. So a field is mapped once per format, against CSL, never format to format.

- Variables with a column of their own: TEXT_VARIABLES (strings), `issued` (year, date issued and its
  precision), `original-date`, `accessed`, `type` (`item_type`), `language`, `keyword` (the tags),
  the name variables (the creators, CreatorRole), `annote` (the literature review's annotation).
- Every other variable, and a value kept as written because it failed a check (an ISBN whose
  checksum fails, a malformed link), goes to `Entry.other_variables` under its CSL name and is written
  back out under it. A field that is no CSL variable at all (a reference manager's own: RIS `C1`,
  BibTeX `file`) is kept there under "<format>:<name>" and written out as a "Name: value" line of the
  notes, as Zotero keeps what it cannot map in its Extra field; like the notes, organizers see it
  unless the notes are marked public.
"""

import contextlib
import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from core.text import clean_text
from depository.identifiers import doi_from_url, normalise_doi, normalise_isbn, normalise_issn, normalise_orcid
from depository.models import CreatorKind, CreatorRole, DatePrecision, Entry, ItemType, Language

# CSL variable -> Entry column, for the variables held as text.
TEXT_VARIABLES = {
    "title": "title",
    "title-short": "title_short",
    "container-title": "container_title",
    "container-title-short": "container_title_short",
    "collection-title": "collection_title",
    "collection-number": "collection_number",
    "volume": "volume",
    "issue": "issue",
    "page": "page",
    "number-of-pages": "number_of_pages",
    "number-of-volumes": "number_of_volumes",
    "edition": "edition",
    "event-title": "event_title",
    "event-place": "event_place",
    "publisher": "publisher",
    "publisher-place": "publisher_place",
    "genre": "genre",
    "abstract": "abstract",
    "URL": "external_url",
    "archive": "archive",
    "archive_location": "archive_location",
    "call-number": "call_number",
    "license": "rights",
    "number": "report_number",
    "DOI": "doi",
    "ISBN": "isbn",
    "ISSN": "issn",
    "note": "note",
}
# Checked and normalised by check_identifiers, which keeps a value of several (two ISBNs) whole.
IDENTIFIER_COLUMNS = {"doi", "isbn", "issn"}
# Names CSL 1.0.1 and older exporters use for the same variables.
VARIABLE_ALIASES = {"event": "event-title", "shortTitle": "title-short", "journalAbbreviation": "container-title-short"}
NAME_VARIABLES = [str(role) for role in CreatorRole]
DATE_VARIABLES = {"issued", "original-date", "accessed", "event-date", "submitted", "available-date"}
# The keys csl-data.json allows in a date and in a name (its `additionalProperties` is false).
DATE_KEYS = {"date-parts", "season", "circa", "literal", "raw"}
NAME_KEYS = {"family", "given", "dropping-particle", "non-dropping-particle", "suffix", "comma-suffix",
             "static-ordering", "literal", "parse-names"}  # fmt: skip
# Every variable of csl-data.json (CSL 1.0.2): what is not one of these is no CSL variable.
CSL_VARIABLES = {
    *TEXT_VARIABLES,
    *NAME_VARIABLES,
    *DATE_VARIABLES,
    "type",
    "id",
    "language",
    "keyword",
    "annote",
    "categories",
    "citation-key",
    "citation-label",
    "chapter-number",
    "citation-number",
    "dimensions",
    "division",
    "first-reference-note-number",
    "jurisdiction",
    "locator",
    "medium",
    "original-publisher",
    "original-publisher-place",
    "original-title",
    "part",
    "part-title",
    "PMCID",
    "PMID",
    "printing",
    "references",
    "reviewed-genre",
    "reviewed-title",
    "scale",
    "section",
    "source",
    "status",
    "supplement",
    "version",
    "volume-title",
    "year-suffix",
    "archive-collection",
    "archive-place",
    "authority",
    "collection-editor",
    "compiler",
    "contributor",
    "curator",
    "executive-producer",
    "guest",
    "host",
    "narrator",
    "organizer",
    "performer",
    "producer",
    "script-writer",
    "series-creator",
    "chair",
    "editor",
    "translator",
    "event",
    "custom",
}
# Column lengths: a longer value is cut with a warning and kept whole in other_variables.
LANGUAGE_NAMES = {
    **{code: code for code in Language.values},
    "english": "en", "eng": "en", "en-us": "en", "en-gb": "en", "anglais": "en", "inglés": "en",
    "spanish": "es", "español": "es", "spa": "es", "es-es": "es", "espagnol": "es",
    "french": "fr", "français": "fr", "francais": "fr", "fre": "fr", "fra": "fr", "fr-fr": "fr",
    "arabic": "ar", "ara": "ar", "العربية": "ar",
}  # fmt: skip


def csl_language(value):
    """The portal's language code ('en', 'es', 'fr', 'ar') of a CSL `language` value (an IETF tag such as
    'en-US', an ISO 639-2 code or a language's name), or '' when it is none of the four."""
    text = str(value or "").strip().lower()
    return LANGUAGE_NAMES.get(text) or LANGUAGE_NAMES.get(text.split("-")[0].split("_")[0], "")


# -- Dates -------------------------------------------------------------------------------------------
DATE_PATTERN = re.compile(r"(?<!\d)(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?!\d)")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "janvier", "enero"),
            ("feb", "february", "février", "fevrier", "febrero"),
            ("mar", "march", "mars", "marzo"),
            ("apr", "april", "avril", "abril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juin", "junio"),
            ("jul", "july", "juillet", "julio"),
            ("aug", "august", "août", "aout", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "octobre", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "décembre", "decembre", "diciembre"),
        ],
        start=1,
    )
    for name in names
}


def date_parts(value):
    """[year], [year, month] or [year, month, day] of a CSL date (an object with `date-parts`, `raw` or
    `literal`) or of a text date as exporters write it ('2015', '2015/03/01/', '2015-03', 'March
    2015', '2015 Mar 4'); [] when no plausible date (years 1000-2100, months 1-12, real days) is in it."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                return valid_parts([int(str(part).strip()) for part in parts[0][:3]])
            except (TypeError, ValueError):
                pass
        value = value.get("raw") or value.get("literal") or ""
    if isinstance(value, int):
        return valid_parts([value])
    text = str(value or "").strip()
    match = DATE_PATTERN.search(text)
    if not match:
        return []
    parts = [int(part) for part in match.groups() if part]
    if len(parts) == 1:
        words = re.findall(r"[^\W\d_]+", text.lower())
        months = [MONTHS[word.rstrip(".")] for word in words if word.rstrip(".") in MONTHS]
        if months:
            parts.append(months[0])
            day = re.search(r"(?<!\d)(\d{1,2})(?!\d)", text.replace(match.group(1), " "))
            if day:
                parts.append(int(day.group(1)))
    return valid_parts(parts)


def valid_parts(parts):
    """The longest plausible prefix of [year, month, day]: [] when the year is outside 1000-2100."""
    if not parts or not 1000 <= parts[0] <= 2100:
        return []
    if len(parts) < 2 or not 1 <= parts[1] <= 12:
        return parts[:1]
    if len(parts) < 3:
        return parts[:2]
    try:
        datetime.date(*parts[:3])
    except ValueError:
        return parts[:2]
    return parts[:3]


def said_by(raw, parts):
    """Whether the text date `raw` says nothing but `parts` ('2015///', '2015/03/04/', '2015-03')."""
    numbers = [int(number) for number in re.findall(r"\d+", raw)]
    rest = re.sub(r"[\d\s/.-]+", "", raw)
    return not rest and numbers == parts[: len(numbers)] and len(numbers) == len(parts)


def parts_text(parts):
    """'2015', '2015-03' or '2015-03-04'."""
    return "-".join(f"{part:02d}" if n else str(part) for n, part in enumerate(parts))


# -- Entry -> CSL item ---------------------------------------------------------------------------------
def issued_parts(entry):
    """The date issued as CSL date-parts: [year], [year, month] or [year, month, day]; [] if unknown."""
    if entry.date_issued is not None:
        day = entry.date_issued
        if entry.date_issued_precision == DatePrecision.MONTH:
            return [day.year, day.month]
        return [day.year, day.month, day.day]
    return [entry.year] if entry.year else []


def notes_visible(entry, viewer):
    """Whether `viewer` may read the entry's notes (and the fields kept with them): organizers always,
    anyone when the notes are marked public."""
    return entry.note_is_public or viewer.is_organizer


def unmapped_lines(entry, *, native=""):
    """ "Name: value" lines of the fields that are no CSL variable ("ris:C1" -> "C1: ..."), as Zotero's Extra;
    those of the `native` format ("ris", "bibtex") are left out: that format's writer puts them back."""
    lines = []
    for key, value in sorted((entry.other_variables or {}).items()):
        prefix = key.split(":", 1)[0] if ":" in key else ""
        if prefix in {"ris", "bibtex", "csl"} and prefix != native:
            for one in value if isinstance(value, list) else [value]:
                lines.append(f"{key.split(':', 1)[1]}: {one}")
    return lines


def schema_value(variable, value):
    """`value` in the shape csl-data.json gives `variable`, or None: a kept value is whatever the file
    said (a list for a repeated field, a date as text), and an item the schema refuses is refused whole
    by citeproc-js and Zotero. Dates are objects (`raw` for text), names lists of name objects, every
    other variable one string (a list joined by '; ')."""
    if variable in DATE_VARIABLES:
        if isinstance(value, dict):
            kept = {key: part for key, part in value.items() if key in DATE_KEYS}
            return kept or None
        return {"raw": text_of(value)} if text_of(value) else None
    if variable in NAME_VARIABLES:
        names = [name if isinstance(name, dict) else {"literal": text_of(name)} for name in as_list(value)]
        names = [{key: part for key, part in name.items() if key in NAME_KEYS} for name in names]
        return [name for name in names if name] or None
    if variable == "categories":
        return [text_of(part) for part in as_list(value)] or None
    if variable == "custom":
        return value if isinstance(value, dict) else None
    return text_of(value) or None


def csl_item(entry, viewer, *, url="", creators=None, native=""):
    """The entry as one CSL-JSON item (a dict valid against csl-data.json), with only what `viewer`
    (a people.privacy.Viewer) may see: creators as their disclosure allows, the notes and the
    reference manager's own fields only when `notes_visible`. `url`: the entry's page, which stands in
    for a work with no link of its own. `creators`: the entry's creators to write, in order (default:
    depository.creators.shown_creators(entry, viewer)). `native`: "ris" or "bibtex", for that format's
    writer: the fields kept from it ("ris:C1") come back under their own keys instead of as lines of the
    note (so the item is then no pure CSL). Entries come with `tags` and creators prefetched
    (depository.citations.with_citation_data): no query here."""
    from depository.creators import shown_creators

    item = {"id": entry.slug, "type": entry.work_type}
    for name, value in (entry.other_variables or {}).items():
        # `type` kept as written is no CSL type; `keyword` is merged with the tags below.
        if ":" not in name and name in CSL_VARIABLES and name not in {"type", "id", "keyword"}:
            value = schema_value(name, value)
            if value is not None:
                item[name] = value
    kept = entry.other_variables or {}
    for variable, column in TEXT_VARIABLES.items():
        value = getattr(entry, column)
        whole = kept.get(variable)
        if value and isinstance(whole, str) and whole.startswith(value):
            value = whole  # cut to its column at import, written out whole
        if value:
            item[variable] = value
    if not entry.abstract and entry.summary:
        item["abstract"] = entry.summary
    item.pop("note", None)
    if notes_visible(entry, viewer):
        note = "\n".join(part for part in [entry.note, *unmapped_lines(entry, native=native)] if part)
        if note:
            item["note"] = note
        for key, value in (entry.other_variables or {}).items():
            if native and key.startswith(f"{native}:"):
                item[key] = value  # not CSL: the native format's writer takes it out (depository/citations)
    if entry.annotation:
        item["annote"] = entry.annotation
    names = {}
    for creator in shown_creators(entry, viewer) if creators is None else creators:
        names.setdefault(creator.role, []).append(csl_name(creator))
    item.update(names)
    parts = issued_parts(entry)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    if entry.original_date:
        item["original-date"] = {"date-parts": [[int(part) for part in entry.original_date.split("-")]]}
    if entry.accessed:
        item["accessed"] = {"date-parts": [[entry.accessed.year, entry.accessed.month, entry.accessed.day]]}
    tags = sorted(tag.name for tag in entry.tags.all())
    kept_keywords = text_of(kept.get("keyword"))  # keywords too long to be tags, kept as written
    if tags or kept_keywords:
        item["keyword"] = ", ".join(filter(None, [*tags, kept_keywords]))
    item.setdefault("language", entry.language)
    if "URL" not in item and url:
        item["URL"] = url
    return item


def csl_name(creator):
    """A CSL name: `family`/`given` for a person, `literal` for an organization."""
    if creator.is_person:
        return {"family": creator.family, "given": creator.given} if creator.given else {"family": creator.family}
    return {"literal": creator.name}


# -- CSL item -> Entry values ----------------------------------------------------------------------------
@dataclass
class EntryValues:
    """What a CSL item gives the Entry: `fields` (column -> value, for Entry(**fields)), `creators`
    (dicts: kind, family, given, name, role; in order), `keywords` (tag names), `warnings` (what was
    kept as written or cut, one sentence each) and `error` (why the record cannot become an entry)."""

    fields: dict = field(default_factory=dict)
    creators: list = field(default_factory=list)
    keywords: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    error: str = ""


def text_of(value):
    """A CSL value as one line of clean text: a list joined by '; ', a number as written."""
    if isinstance(value, list):
        return "; ".join(text_of(part) for part in value if part not in (None, ""))
    if isinstance(value, dict):
        return text_of(value.get("literal") or value.get("raw") or "")
    if value is None or isinstance(value, bool):
        return ""
    return re.sub(r"\s+", " ", clean_text(str(value))).strip()


def name_of(name, role):
    """A creator dict of a CSL name (`family`/`given`/particles, or `literal`); None when empty. A person's
    `ORCID` (as Crossref's and DataCite's CSL-JSON write it: 'https://orcid.org/0000-...') becomes the
    creator's `orcid` when it passes its checksum."""
    if not isinstance(name, dict):
        name = {"literal": text_of(name)}
    literal = text_of(name.get("literal"))
    if literal and not name.get("family"):
        return {"kind": CreatorKind.ORGANIZATION, "family": "", "given": "", "name": literal, "role": role}
    family = " ".join(text_of(name.get(part)) for part in ("non-dropping-particle", "family") if name.get(part))
    given = " ".join(text_of(name.get(part)) for part in ("given", "dropping-particle") if name.get(part))
    if name.get("suffix"):
        given = f"{given}, {text_of(name['suffix'])}" if given else text_of(name["suffix"])
    if not family:
        if not given:
            return None
        family, given = given, ""
    creator = {"kind": CreatorKind.PERSON, "family": family[:200], "given": given[:200], "name": "", "role": role}
    if name.get("ORCID"):  # not csl-data.json's, but Crossref's and DataCite's CSL-JSON write it on a name
        # An iD that fails its checksum is left out, never the reason to refuse the creator.
        with contextlib.suppress(ValidationError):
            creator["orcid"] = normalise_orcid(text_of(name["ORCID"]))
    return creator


def entry_values(item, *, max_creators=None):
    """The Entry values of one CSL item (a dict as csl-data.json describes it; other exporters' variable
    names in VARIABLE_ALIASES are read too): an EntryValues. Never raises on the item's content: a value
    that fails a check (an ISBN's checksum, a link that is no URL, an unknown type) is kept as written in
    `other_variables` with a warning; a value longer than its column is cut with a warning and kept whole
    there. `error` is set only when the item cannot be an entry at all (no title, more than
    `max_creators` creators)."""
    result = EntryValues()
    if not isinstance(item, dict):
        result.error = _("A CSL-JSON item must be an object.")
        return result
    item = {VARIABLE_ALIASES.get(key, key): value for key, value in item.items()}
    fields, other, warnings = {}, {}, result.warnings

    names = [(role, name) for role in NAME_VARIABLES for name in as_list(item.get(role))]
    if max_creators is not None and len(names) > max_creators:
        from depository.creators import too_many_creators_message

        result.error = too_many_creators_message(len(names))
        return result
    result.creators = [creator for role, name in names if (creator := name_of(name, role))]

    for variable, column in TEXT_VARIABLES.items():
        if variable == "note" or item.get(variable) in (None, "", []):
            continue
        text = text_of(item[variable])
        if not text:
            continue
        limit = Entry._meta.get_field(column).max_length
        if limit and len(text) > limit and column not in IDENTIFIER_COLUMNS:
            warnings.append(
                _("%(field)s was longer than %(limit)d characters: cut, and kept whole in the other fields")
                % {"field": variable, "limit": limit}
            )
            other[variable] = text
            text = text[:limit].rstrip()
        fields[column] = text
    # Text is not validated here but below, variable by variable, so one bad value never costs the record.
    check_identifiers(fields, other, warnings)
    url = fields.get("external_url", "")
    if url:
        try:
            URLValidator(schemes=["http", "https", "ftp"])(url)
        except ValidationError:
            other["URL"] = url
            fields["external_url"] = ""
            warnings.append(_("the link “%(value)s” is not a web address: kept as written") % {"value": url[:80]})
    # A reader's own notes (CSL `note`, and `annote`, BibTeX's annotation) are the organizers' notes:
    # the literature review's public annotation is the TWG's to write.
    note = "\n\n".join(filter(None, (text_of_note(item.get(name)) for name in ("note", "annote"))))
    if note:
        fields["note"] = note

    item_type = text_of(item.get("type"))
    if item_type in ItemType.values:
        fields["item_type"] = item_type
    else:
        fields["item_type"] = ItemType.DOCUMENT
        if item_type:
            other["type"] = item_type
            warnings.append(_("the type “%(value)s” is not one of CSL's: kept as written") % {"value": item_type})

    issued = date_parts(item.get("issued")) if item.get("issued") else []
    if item.get("issued") and not issued:
        other["issued"] = item["issued"]
        warnings.append(_("the date issued was not read as a date: kept as written"))
    raw_issued = item.get("issued", {}).get("raw") if isinstance(item.get("issued"), dict) else None
    if issued and raw_issued and not said_by(raw_issued, issued):
        other["issued"] = item["issued"]  # a season, a range, a suffix ('1985-21', '2013/02/15/received')
    if issued:
        fields["year"] = issued[0]
        if len(issued) > 1:
            fields["date_issued"] = datetime.date(issued[0], issued[1], issued[2] if len(issued) > 2 else 1)
            fields["date_issued_precision"] = DatePrecision.DAY if len(issued) > 2 else DatePrecision.MONTH
    original = date_parts(item.get("original-date")) if item.get("original-date") else []
    if original:
        fields["original_date"] = parts_text(original)
    elif item.get("original-date"):
        other["original-date"] = item["original-date"]
    accessed = date_parts(item.get("accessed")) if item.get("accessed") else []
    if len(accessed) == 3:
        fields["accessed"] = datetime.date(*accessed)
    elif item.get("accessed"):
        other["accessed"] = item["accessed"]

    language = text_of(item.get("language"))
    if language:
        code = csl_language(language)
        fields["language"] = code or Language.ENGLISH
        if language != code:
            other["language"] = language  # as written ('en-US', 'eng', 'German'): the exports write it back
        if not code:
            warnings.append(
                _("the language “%(value)s” is none of the portal's four: recorded as English, kept as written")
                % {"value": language[:40]}
            )

    result.keywords, long_keywords = split_keywords(item.get("keyword"))
    if long_keywords:
        other["keyword"] = "; ".join(long_keywords)
    if not fields.get("title") and fields.get("title_short"):
        fields["title"] = fields["title_short"]  # a record with a short title only, as Zotero reads it
    if not fields.get("title"):
        result.error = _("no title")
    for name, value in item.items():
        known = name in TEXT_VARIABLES or name in NAME_VARIABLES or name in {
            "type", "id", "issued", "original-date", "accessed", "language", "keyword", "annote", "citation-key"
        }  # fmt: skip
        if not known and value not in (None, "", [], {}):
            other[name if name in CSL_VARIABLES or ":" in name else f"csl:{name}"] = value
    fields["other_variables"] = other
    result.fields = fields
    return result


def as_list(value):
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def text_of_note(value):
    """Notes keep their lines (Zotero's Extra is one "Name: value" per line)."""
    if isinstance(value, list):
        return "\n\n".join(filter(None, (text_of_note(part) for part in value)))
    return clean_text(str(value or "")).strip()


def split_keywords(value):
    """(tag names, keywords too long for a tag) of CSL's `keyword` (one string, comma- or
    semicolon-separated, as citeproc-js reads it) or a list of keywords."""
    from core.tags import TAG_MAX_LENGTH

    if isinstance(value, list):
        words = [text_of(part) for part in value]
    else:
        text = text_of(value)
        words = re.split(r"\s*[;,]\s*" if ";" in text or "," in text else r"\n", text)
    words = list(dict.fromkeys(word.strip() for word in words if word and word.strip()))
    return [w for w in words if len(w) <= TAG_MAX_LENGTH], [w for w in words if len(w) > TAG_MAX_LENGTH]


def check_identifiers(fields, other, warnings):
    """Normalise DOI, ISBN and ISSN in `fields` (depository/identifiers.py); one that fails its check
    moves to `other` as written, with a warning. A record may carry several ISBNs or ISSNs ('978... ;
    978...'): the first valid one is kept in its column, the whole value in `other`."""
    checks = (("doi", "DOI", normalise_doi), ("isbn", "ISBN", normalise_isbn), ("issn", "ISSN", normalise_issn))
    for column, variable, normalise in checks:
        raw = fields.get(column, "")
        if not raw:
            continue
        candidates = [raw, *re.split(r"[;,]\s*|\s+(?=\d)", raw)] if column != "doi" else [raw]
        for candidate in candidates:
            try:
                fields[column] = normalise(candidate.strip())
                break
            except ValidationError:
                continue
        else:
            fields[column] = ""
            other[variable] = raw
            warnings.append(
                _("the %(name)s “%(value)s” did not pass its check: kept as written")
                % {"name": variable, "value": raw[:60]}
            )
            continue
        if fields[column] and len(candidates) > 2:
            other[variable] = raw
    if not fields.get("doi"):
        fields["doi"] = doi_from_url(fields.get("external_url", ""))
