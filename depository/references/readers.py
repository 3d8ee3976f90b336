"""Reading the reference managers' files: RIS (rispy), BibTeX (bibtexparser 2, LaTeX accents decoded
by pylatexenc) and CSL-JSON, into `Reference`s with cleaned text and normalised identifiers.

Names: a reference manager writes a person as 'Family, Given' and an organization as one field
(Zotero's single-field names, CSL's `literal`, BibTeX's braced name), so a RIS name without a
comma is an organization.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field

import bibtexparser
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pylatexenc.latex2text import LatexNodes2Text

from core.text import clean_text
from depository.creators import MAX_CREATORS_PER_ENTRY, too_many_creators_message
from depository.identifiers import doi_from_url, normalise_doi, normalise_isbn, normalise_issn
from depository.models import CreatorKind, CreatorRole, Language

LANGUAGES = {
    **{code: code for code in Language.values},
    "english": "en",
    "eng": "en",
    "spanish": "es",
    "español": "es",
    "spa": "es",
    "french": "fr",
    "français": "fr",
    "fre": "fr",
    "fra": "fr",
    "arabic": "ar",
    "ara": "ar",
}


@dataclass
class Reference:
    """One record of an uploaded file, as the portal will store it."""

    number: int
    title: str = ""
    creators: list = field(default_factory=list)  # dicts: kind, family, given, name, role
    year: int | None = None
    publisher: str = ""
    summary: str = ""
    language: str = "en"
    external_url: str = ""
    doi: str = ""
    isbn: str = ""
    issn: str = ""
    report_number: str = ""
    error: str = ""

    def key(self):
        """The duplicate key: normalised title, year and first creator's family name (or name)."""
        first = self.creators[0] if self.creators else {}
        return (title_key(self.title), self.year, title_key(first.get("family") or first.get("name") or ""))


def title_key(text):
    """Lower case, accents and punctuation off, spaces collapsed: 'Guns & the City!' -> 'guns the city'."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def person_or_organization(text, role=CreatorRole.AUTHOR):
    text = clean_text(re.sub(r"\s+", " ", text or "")).strip()
    if not text:
        return None
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
        return {"kind": CreatorKind.PERSON, "family": family, "given": given, "name": "", "role": role}
    return {"kind": CreatorKind.ORGANIZATION, "family": "", "given": "", "name": text, "role": role}


def as_year(value):
    match = re.search(r"\b(1[89]\d\d|2[01]\d\d)\b", str(value or ""))
    return int(match.group(1)) if match else None


# -- Reading each format -----------------------------------------------------------------------------
def from_ris(text):
    for number, record in enumerate(rispy.loads(text.lstrip("\ufeff")), start=1):
        creators = [person_or_organization(name) for name in record.get("authors") or record.get("first_authors") or []]
        creators += [person_or_organization(n, CreatorRole.EDITOR) for n in record.get("secondary_authors") or []]
        serial = record.get("issn") or ""
        urls = record.get("urls") or []
        yield (
            number,
            {
                "title": record.get("title") or record.get("primary_title") or "",
                "creators": creators,
                "year": as_year(record.get("year") or record.get("publication_year") or record.get("date")),
                "publisher": record.get("publisher") or "",
                "summary": record.get("abstract") or "",
                "language": record.get("language") or "",
                "external_url": urls[0] if urls else "",
                "doi": record.get("doi") or "",
                "serial": serial,
                "is_report": record.get("type_of_reference") == "RPRT",
            },
        )


def bibtex_creator(name, role):
    """A bibtexparser NameParts: a braced single last name is an organization; LaTeX accents
    (`M{\\"u}ller`) decoded by pylatexenc, as bibtexparser's own LatexDecodingMiddleware does for fields."""
    decode = LatexNodes2Text().latex_to_text
    last = " ".join(name.last)
    if not name.first and not name.von and len(name.last) == 1 and last.startswith("{") and last.endswith("}"):
        return {"kind": CreatorKind.ORGANIZATION, "family": "", "given": "", "name": decode(last[1:-1]), "role": role}
    family = decode(" ".join([*name.von, *name.last]))
    return {
        "kind": CreatorKind.PERSON,
        "family": family,
        "given": decode(" ".join(name.first)),
        "name": "",
        "role": role,
    }


def from_bibtex(text):
    library = bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts(), LatexDecodingMiddleware()]
    )
    number = 0
    for block in library.failed_blocks:
        number += 1
        yield number, ValueError(_("This BibTeX record could not be read: %(error)s") % {"error": block.error})
    for entry in library.entries:
        number += 1
        fields = {name.lower(): value for name, value in entry.fields_dict.items()}

        def value(name, fields=fields):
            found = fields.get(name)
            return str(found.value).strip() if found else ""

        creators = [
            bibtex_creator(name, role)
            for role in (CreatorRole.AUTHOR, CreatorRole.EDITOR)
            for name in (fields[role].value if role in fields else [])
        ]
        yield (
            number,
            {
                "title": value("title"),
                "creators": creators,
                "year": as_year(value("year") or value("date")),
                "publisher": value("publisher") or value("institution") or value("organization"),
                "summary": value("abstract"),
                "language": value("language") or value("langid"),
                "external_url": value("url"),
                "doi": value("doi"),
                "serial": value("isbn") or value("issn"),
                "report_number": value("number") if entry.entry_type.lower() == "techreport" else "",
            },
        )


def csl_creator(name, role):
    if name.get("literal"):
        return {"kind": CreatorKind.ORGANIZATION, "family": "", "given": "", "name": name["literal"], "role": role}
    family = " ".join(part for part in (name.get("non-dropping-particle"), name.get("family")) if part)
    given = " ".join(part for part in (name.get("given"), name.get("dropping-particle")) if part)
    return {"kind": CreatorKind.PERSON, "family": family, "given": given, "name": "", "role": role}


def from_csl_json(text):
    items = json.loads(text.lstrip("\ufeff"))
    if isinstance(items, dict):
        items = items.get("items", [items])
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield number, ValueError(_("A CSL-JSON item must be an object."))
            continue
        creators = [
            csl_creator(name, role)
            for role in (CreatorRole.AUTHOR, CreatorRole.EDITOR)
            for name in item.get(str(role)) or []
            if isinstance(name, dict)
        ]
        parts = (item.get("issued") or {}).get("date-parts") or [[None]]
        yield (
            number,
            {
                "title": item.get("title") or "",
                "creators": creators,
                "year": as_year(parts[0][0] if parts and parts[0] else (item.get("issued") or {}).get("raw")),
                "publisher": item.get("publisher") or "",
                "summary": item.get("abstract") or "",
                "language": item.get("language") or "",
                "external_url": item.get("URL") or "",
                "doi": item.get("DOI") or "",
                "serial": item.get("ISBN") or item.get("ISSN") or "",
                "report_number": item.get("number") or "" if item.get("type") == "report" else "",
            },
        )


READERS = {"ris": from_ris, "bibtex": from_bibtex, "csl-json": from_csl_json}


def guess_format(file_name, text):
    """'ris', 'bibtex' or 'csl-json' from the file's extension, else its first characters; None if unknown."""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    by_extension = {"ris": "ris", "txt": None, "bib": "bibtex", "bibtex": "bibtex", "json": "csl-json"}
    if by_extension.get(extension):
        return by_extension[extension]
    start = text.lstrip("\ufeff \r\n\t")[:20]
    if start.startswith("TY  -"):
        return "ris"
    if start.startswith("@"):
        return "bibtex"
    if start.startswith(("[", "{")):
        return "csl-json"
    return None


def read_references(text, fmt):
    """[Reference] of a file's text in `fmt` ('ris', 'bibtex', 'csl-json'): every value cleaned by
    `clean_text`, identifiers normalised; a record that cannot be used has `error` set. Raises
    ValueError when the file as a whole cannot be read."""
    try:
        records = list(READERS[fmt](clean_text(text)))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        message = _("The file could not be read as %(format)s: %(error)s") % {"format": fmt, "error": error}
        raise ValueError(message) from None
    return [make_reference(number, record) for number, record in records]


def make_reference(number, record):
    if isinstance(record, Exception):
        return Reference(number=number, error=str(record))
    reference = Reference(number=number)
    reference.title = clean_text(re.sub(r"\s+", " ", record["title"])).strip()
    if len(record["creators"]) > MAX_CREATORS_PER_ENTRY:  # refused unread: its work is unbounded
        return Reference(
            number=number, title=reference.title[:300], error=too_many_creators_message(len(record["creators"]))
        )
    reference.creators = [
        {key: clean_text(value) for key, value in creator.items()} for creator in record["creators"] if creator
    ]
    reference.year = record["year"]
    reference.publisher = clean_text(record["publisher"]).strip()[:300]
    reference.summary = clean_text(record["summary"]).strip()
    reference.language = LANGUAGES.get(str(record["language"]).strip().lower()[:20], "en")
    reference.external_url = clean_text(record["external_url"]).strip()
    problems = []
    if not reference.title:
        problems.append(_("no title"))
    elif len(reference.title) > 300:
        problems.append(_("a title longer than 300 characters"))
    try:
        reference.doi = normalise_doi(record["doi"]) or doi_from_url(reference.external_url)
    except ValidationError as error:
        problems.append(error.messages[0])
    serial = str(record.get("serial") or "").strip()
    if serial:
        for name, normalise in (("isbn", normalise_isbn), ("issn", normalise_issn)):
            try:
                setattr(reference, name, normalise(serial))
                break
            except ValidationError:
                continue
        else:
            if record.get("is_report"):
                reference.report_number = serial[:100]
            else:
                problems.append(_("“%(value)s” is neither an ISBN nor an ISSN") % {"value": serial})
    reference.report_number = reference.report_number or clean_text(str(record.get("report_number") or ""))[:100]
    if reference.year is None and record.get("year") is not None:
        problems.append(_("the year is not between 1900 and 2100"))
    for creator in reference.creators:
        if creator["kind"] == CreatorKind.PERSON and not creator["family"]:
            problems.append(_("a person without a family name"))
            break
    reference.error = "; ".join(str(problem) for problem in problems)
    return reference
