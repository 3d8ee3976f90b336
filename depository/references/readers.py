"""Reading the reference managers' files into CSL-JSON items: RIS (rispy), BibTeX and BibLaTeX
(bibtexparser 2, LaTeX accents decoded by pylatexenc) and CSL-JSON itself; `depository.csl.entry_values`
then turns each item into the entry's values. Every field of a record is kept: those that map to a
CSL variable under it, the others as "ris:<TAG>" / "bibtex:<field>" (docs/citations.md).

The maps from RIS tags and BibTeX fields to CSL variables follow the reference managers themselves:
Zotero's RIS and BibTeX translators (github.com/zotero/translators, RIS.js and BibTeX.js), citeproc-js's
and Better BibTeX's BibLaTeX mapping, and the RIS tag list of rispy (the types of RIS's specification).

Names: a reference manager writes a person as 'Family, Given' and an organization as one field
(Zotero's single-field names, CSL's `literal`, BibTeX's braced name), so a RIS name without a comma
is an organization.
"""

import contextlib
import json
import re
from dataclasses import dataclass, field

import bibtexparser
import bibtexparser.middlewares
import rispy
from bibtexparser import model as bibtex_model
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from django.utils.translation import gettext as _
from pylatexenc.latex2text import LatexNodes2Text

from core.text import clean_text
from depository.creators import MAX_CREATORS_PER_ENTRY
from depository.csl import EntryValues, date_parts, entry_values
from depository.models import CreatorKind, CreatorRole


@dataclass
class Reference:
    """One record of an uploaded file: its place in the file (`number`, from 1), the CSL item read
    from it, and what the entry will hold (`values`, a depository.csl.EntryValues) or why it cannot
    be one (`error`)."""

    number: int
    item: dict = field(default_factory=dict)
    values: EntryValues = field(default_factory=EntryValues)
    error: str = ""

    @property
    def title(self):
        return self.values.fields.get("title") or clean_text(str(self.item.get("title") or ""))[:300]

    @property
    def year(self):
        return self.values.fields.get("year")

    @property
    def doi(self):
        return self.values.fields.get("doi", "")

    @property
    def creators(self):
        return self.values.creators

    @property
    def warnings(self):
        return self.values.warnings

    def key(self):
        """The duplicate key: normalised title, year and first creator's family name (or name)."""
        first = self.creators[0] if self.creators else {}
        return (title_key(self.title), self.year, title_key(first.get("family") or first.get("name") or ""))


def title_key(text):
    """Lower case, accents and punctuation off, spaces collapsed: 'Guns & the City!' -> 'guns the city'."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def csl_name_of_text(text):
    """A CSL name of a name written as text: 'Family, Given' is a person, a name without a comma an
    organization (a `literal`); None when empty."""
    text = re.sub(r"\s+", " ", str(text or "")).strip().strip(";").strip()
    if not text:
        return None
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    return {"literal": text}


def add(item, variable, value):
    """Put a value under `variable`, keeping an earlier different one: a repeated field becomes a list."""
    if value in (None, "", []):
        return
    if variable not in item or item[variable] in ("", None):
        item[variable] = value
    elif item[variable] != value:
        earlier = item[variable] if isinstance(item[variable], list) else [item[variable]]
        item[variable] = [*earlier, *(value if isinstance(value, list) else [value])]


# -- RIS ---------------------------------------------------------------------------------------------
# RIS types -> CSL types (Zotero's RIS translator's import map, with CSL's names).
RIS_TYPES = {
    "JOUR": "article-journal", "JFULL": "article-journal", "EJOUR": "article-journal", "INPR": "article-journal",
    "ABST": "article-journal", "MGZN": "article-magazine", "NEWS": "article-newspaper", "BOOK": "book",
    "EBOOK": "book", "EDBOOK": "book", "CTLG": "book", "SER": "book", "CHAP": "chapter", "ECHAP": "chapter",
    "RPRT": "report", "GOVDOC": "report", "THES": "thesis", "CPAPER": "paper-conference", "CONF": "paper-conference",
    "ELEC": "webpage", "WEB": "webpage", "BLOG": "post-weblog", "ICOMM": "post", "DATA": "dataset",
    "DBASE": "dataset", "AGGR": "dataset", "COMP": "software", "STAT": "legislation", "BILL": "bill",
    "UNBILL": "bill", "LEGAL": "regulation", "CASE": "legal_case", "HEAR": "hearing", "PAMP": "pamphlet",
    "MANSCPT": "manuscript", "UNPB": "manuscript", "PAT": "patent", "PCOMM": "personal_communication",
    "MAP": "map", "MPCT": "motion_picture", "VIDEO": "motion_picture", "ADVS": "motion_picture",
    "MULTI": "motion_picture", "SOUND": "song", "MUSIC": "musical_score", "ART": "graphic", "FIGURE": "figure",
    "CHART": "figure", "EQUA": "figure", "SLIDE": "speech", "DICT": "entry-dictionary",
    "ENCYC": "entry-encyclopedia", "STAND": "standard", "ANCIENT": "classic", "CLSWK": "classic",
    "GEN": "document", "GRANT": "document",
}  # fmt: skip
# Types whose T2 is a series (Zotero: a book's or report's T2 is its series), not a container.
SERIES_IN_T2 = {"book", "report", "thesis", "manuscript", "document", "dataset", "software", "pamphlet"}
# Types whose SP (with no EP) is the number of pages (Zotero: numPages of books and theses).
PAGES_COUNT_IN_SP = {"book", "thesis"}
# rispy's keys -> CSL variables, for the tags whose meaning does not depend on the type.
RIS_VARIABLES = {
    "title": "title", "primary_title": "title", "short_title": "title-short", "volume": "volume",
    "edition": "edition", "number_of_volumes": "number-of-volumes", "place_published": "publisher-place",
    "publisher": "publisher", "doi": "DOI", "language": "language", "type_of_work": "genre",
    "call_number": "call-number", "name_of_database": "archive", "database_provider": "source",
    "accession_number": "archive_location", "section": "section", "reviewed_item": "reviewed-title",
    "original_publication": "original-title", "alternate_title1": "container-title-short",
    "alternate_title2": "container-title-short", "journal_name": "container-title",
    "alternate_title3": "container-title", "tertiary_title": "collection-title",
}  # fmt: skip
RIS_NAMES = {
    "authors": "author", "first_authors": "author", "secondary_authors": "editor",
    "tertiary_authors": "collection-editor", "subsidiary_authors": "translator", "translated_author": "translator",
}  # fmt: skip
TAG_OF_KEY = {key: tag for tag, key in rispy.TAG_KEY_MAPPING.items()}
TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?: |$)(.*)$")


class LenientRisParser(rispy.RisParser):
    """rispy's RIS parser, also reading tags written 'TY - ' with one space (as some exporters do)
    and keeping every value of a tag repeated (a second SN, a second UR), not only the first."""

    def parse_line(self, line):
        match = TAG_LINE.match(line.rstrip("\r"))
        if match:
            return match.group(1), match.group(2).strip()
        return None, line.strip()

    def _iter_till_start(self, lines):
        while True:
            line = next(lines)
            tag, value = self.parse_line(line)
            if tag == self.START_TAG:
                return {self.mapping[self.START_TAG]: value}


def ris_item(record):
    """One RIS record (rispy's dict) as a CSL item."""
    ris_type = str(record.get("type_of_reference") or "").strip().upper()
    item = {"type": RIS_TYPES.get(ris_type, "document")}
    if ris_type and ris_type not in RIS_TYPES:
        item["ris:TY"] = ris_type
    csl_type = item["type"]
    for key, names in RIS_NAMES.items():
        for name in as_list(record.get(key)):
            for one in split_names(name):
                add(item, names, [one])
    for key, variable in RIS_VARIABLES.items():
        for value in as_list(record.get(key)):
            add(item, variable, value)
    secondary = record.get("secondary_title")
    if secondary:
        if csl_type in SERIES_IN_T2:
            add(item, "collection-title", secondary)
        else:
            # the journal given twice (T2 and JO) is one journal
            if item.get("container-title") and item["container-title"] != secondary:
                item["container-title"], secondary = secondary, item["container-title"]
                add(item, "container-title-short", secondary)
            else:
                item["container-title"] = secondary
    start, end = record.get("start_page"), record.get("end_page")
    if start and not end and csl_type in PAGES_COUNT_IN_SP and not re.search(r"\d\s*[-–]\s*\d", str(start)):
        item["number-of-pages"] = start
    elif start or end:
        item["page"] = f"{start}-{end}" if start and end and start != end else (start or end)
    number = record.get("number")
    if number:
        add(item, "number" if csl_type in {"report", "patent", "bill", "legislation", "standard"} else "issue", number)
    # M1 is EndNote's "number" of a report or a bill; elsewhere a miscellaneous field.
    if record.get("note"):
        add(item, "number" if csl_type == "report" and not item.get("number") else "ris:M1", record["note"])
    # DA is the full date, PY (or Y1) the year, often written '2015///': the fullest one is the date
    # issued; another that says something else is kept under its tag.
    dates = [(tag, record.get(key)) for tag, key in (("DA", "date"), ("PY", "year"), ("Y1", "publication_year"))]
    dates = [(tag, str(value).strip()) for tag, value in dates if value and str(value).strip("/ ")]
    dates.sort(key=lambda pair: -len(date_parts(pair[1])))
    for tag, value in dates:
        if "issued" not in item:
            item["issued"] = {"raw": value}
        elif value.strip("/ ") != item["issued"]["raw"].strip("/ ") and not (
            date_parts(value)
            and date_parts(value) == date_parts(item["issued"]["raw"])[: len(date_parts(value))]
            and re.fullmatch(r"[\d/ ]+", value)
        ):
            item[f"ris:{tag}"] = value
    if record.get("access_date"):
        item["accessed"] = {"raw": str(record["access_date"])}
    abstracts = [*as_list(record.get("abstract")), *as_list(record.get("notes_abstract"))]
    for abstract in dict.fromkeys(abstracts):
        add(item, "abstract", abstract)
    if isinstance(item.get("abstract"), list):
        item["abstract"] = "\n\n".join(item["abstract"])
    notes = [*as_list(record.get("notes")), *as_list(record.get("research_notes"))]
    if notes:
        item["note"] = "\n\n".join(str(note) for note in notes)
    if record.get("keywords"):
        item["keyword"] = [kw for kw in as_list(record["keywords"]) if str(kw).strip()]
    serials = []
    for value in as_list(record.get("issn")):
        serials += [part for part in re.split(r"\s*[;,]\s*|\s+(?=[0-9]{3,}[-0-9X ]{6,})", str(value)) if part.strip()]
    for serial in serials:
        kind = serial_kind(serial)
        if kind == "number" and csl_type != "report":
            kind = "ris:SN"
        add(item, kind, serial.strip())
    urls = [url for value in as_list(record.get("urls")) for url in as_list(value) if str(url).strip()]
    if urls:
        item["URL"] = urls[0]
        if len(urls) > 1:
            item["ris:UR"] = urls[1:]
    for key in ("file_attachments1", "file_attachments2", "figure", "author_address", "caption", "label",
                "reprint_edition", "translated_title", "custom1", "custom2", "custom3", "custom4", "custom5",
                "custom6", "custom7", "custom8"):  # fmt: skip
        if record.get(key):
            item[f"ris:{TAG_OF_KEY[key]}"] = record[key]
    for tag, values in (record.get("unknown_tag") or {}).items():
        values = [value for value in values if str(value).strip()]
        if tag == "BT" and values:  # RIS 1 of old exporters: the book's title
            add(item, "title" if csl_type == "book" and not item.get("title") else "container-title", values[0])
        elif tag == "ED" and values:
            for value in values:
                add(item, "editor", split_names(value))
        elif values:
            item[f"ris:{tag}"] = values if len(values) > 1 else values[0]
    item["editor"] = flatten(item.get("editor"))
    for role in RIS_NAMES.values():
        if role in item:
            item[role] = [name for name in flatten(item[role]) if name]
    return {key: value for key, value in item.items() if value not in (None, "", [])}


def flatten(values):
    out = []
    for value in as_list(values):
        out += flatten(value) if isinstance(value, list) else [value]
    return out


def split_names(text):
    """The CSL names of one RIS name line (a few exporters put several, separated by ';')."""
    parts = [part for part in str(text or "").split(";") if part.strip()] if ";" in str(text) else [text]
    return [name for name in (csl_name_of_text(part) for part in parts) if name]


def serial_kind(value):
    """'ISSN', 'ISBN' or 'number' for a value of RIS's SN (which holds either, or a report number)."""
    digits = re.sub(r"[^0-9Xx]", "", value)
    if re.fullmatch(r"\d{4}-?\d{3}[\dXx]", value.strip()):
        return "ISSN"
    if len(digits) in (10, 13) and re.fullmatch(r"[0-9Xx\- ]+", value.strip()):
        return "ISBN"
    if re.match(r"(?i)^\s*(isbn|issn)", value):
        return value.strip()[:4].upper()
    return "number"


def from_ris(text):
    records = LenientRisParser(enforce_list_tags=False).parse(text.lstrip("\ufeff").replace("\r\n", "\n"))
    for number, record in enumerate(records, start=1):
        yield number, ris_item(record)


# -- BibTeX and BibLaTeX -----------------------------------------------------------------------------
# Entry types -> CSL types (citeproc-js's and Better BibTeX's BibLaTeX map; Zotero's BibTeX.js).
BIBTEX_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "collection": "book", "mvcollection": "book",
    "proceedings": "book", "mvproceedings": "book", "reference": "book", "inbook": "chapter",
    "incollection": "chapter", "bookinbook": "chapter", "suppbook": "chapter", "inreference": "entry-encyclopedia",
    "booklet": "pamphlet", "inproceedings": "paper-conference", "conference": "paper-conference",
    "manual": "report", "techreport": "report", "report": "report", "mastersthesis": "thesis",
    "phdthesis": "thesis", "thesis": "thesis", "misc": "document", "online": "webpage", "electronic": "webpage",
    "www": "webpage", "unpublished": "manuscript", "dataset": "dataset", "data": "dataset", "software": "software",
    "patent": "patent", "periodical": "periodical", "standard": "standard", "legislation": "legislation",
    "legal": "legal_case", "jurisdiction": "legal_case", "letter": "personal_communication", "movie": "motion_picture",
    "video": "motion_picture", "audio": "song", "music": "song", "artwork": "graphic", "image": "graphic",
    "presentation": "speech", "talk": "speech", "review": "review", "suppperiodical": "article-journal",
    "softwareversion": "software", "softwaremodule": "software", "codefragment": "software",
}  # fmt: skip
THESIS_GENRES = {"mastersthesis": "Master's thesis", "phdthesis": "PhD thesis"}
# Fields -> CSL variables, whatever the type (BibLaTeX's names and BibTeX's).
BIBTEX_VARIABLES = {
    "title": "title", "shorttitle": "title-short", "journaltitle": "container-title", "journal": "container-title",
    "shortjournal": "container-title-short", "journalabbreviation": "container-title-short",
    "series": "collection-title", "volume": "volume", "issue": "issue", "pagetotal": "number-of-pages",
    "volumes": "number-of-volumes", "edition": "edition", "location": "publisher-place", "address": "publisher-place",
    "publisher": "publisher", "doi": "DOI", "isbn": "ISBN", "issn": "ISSN", "url": "URL", "abstract": "abstract",
    "language": "language", "langid": "language", "type": "genre", "eventtitle": "event-title", "venue": "event-place",
    "chapter": "chapter-number", "part": "part", "version": "version", "howpublished": "medium",
    "library": "call-number", "archiveprefix": "archive", "eprint": "number", "pmid": "PMID", "pmcid": "PMCID",
    "origtitle": "original-title", "maintitle": "volume-title", "pubstate": "status", "addendum": "references",
    "license": "license", "rights": "license", "copyright": "license", "annotation": "annote", "annote": "annote",
    "subtitle": "bibtex:subtitle", "titleaddon": "bibtex:titleaddon", "origdate": "original-date",
    "urldate": "accessed", "lastchecked": "accessed", "issuetitle": "bibtex:issuetitle",
}  # fmt: skip
BIBTEX_NAMES = {
    "author": "author", "editor": "editor", "translator": "translator", "bookauthor": "container-author",
    "editora": "editor", "editorb": "editor", "commentator": "contributor", "introduction": "contributor",
    "afterword": "contributor", "foreword": "contributor", "annotator": "contributor", "holder": "author",
}  # fmt: skip
# Institutions that publish a type's works (BibTeX's `institution` of a report, `school` of a thesis).
PUBLISHING_BODIES = ("institution", "school", "organization")
MONTH_NUMBERS = {
    name: n
    for n, names in enumerate(
        [
            ("jan",),
            ("feb",),
            ("mar",),
            ("apr",),
            ("may",),
            ("jun",),
            ("jul",),
            ("aug",),
            ("sep",),
            ("oct",),
            ("nov",),
            ("dec",),
        ],
        start=1,
    )  # fmt: skip
    for name in names
}


def latex_text(value):
    """A BibTeX value with LaTeX markup and accents decoded ('M{\\"u}ller' -> 'Müller')."""
    text = str(value)
    if "\\" in text or "{" in text or "$" in text:
        # pylatexenc raises many kinds of error on bad markup: the text is then kept as written.
        with contextlib.suppress(Exception):
            text = LatexNodes2Text().latex_to_text(text)
    return re.sub(r"\s+", " ", text).strip()


def bibtex_name(name):
    """A CSL name of a bibtexparser NameParts, or of a name left as text when the middleware could not
    split it: a braced single last name is an organization."""
    if isinstance(name, str):
        text = name.strip()
        if text.startswith("{") and text.endswith("}"):
            return {"literal": latex_text(text[1:-1])}
        return csl_name_of_text(latex_text(text))
    last = " ".join(name.last)
    if not name.first and not name.von and len(name.last) == 1 and last.startswith("{") and last.endswith("}"):
        return {"literal": latex_text(last[1:-1])}
    family = latex_text(" ".join(name.last))
    result = {"family": family} if family else {}
    if name.von:
        result["non-dropping-particle"] = latex_text(" ".join(name.von))
    if name.first:
        result["given"] = latex_text(" ".join(name.first))
    if name.jr:
        result["suffix"] = latex_text(" ".join(name.jr))
    if not family:
        return {"literal": latex_text(" ".join([*name.first, *name.von]))} if name.first or name.von else None
    return result


def bibtex_item(entry):
    """One BibTeX/BibLaTeX entry (bibtexparser's Entry, after the name middlewares) as a CSL item."""
    entry_type = entry.entry_type.lower()
    csl_type = BIBTEX_TYPES.get(entry_type, "document")
    item = {"type": csl_type}
    if entry_type not in BIBTEX_TYPES:
        item["bibtex:type"] = entry_type
    if entry_type in THESIS_GENRES:
        item["genre"] = THESIS_GENRES[entry_type]
    fields = {}
    for bib_field in entry.fields:
        fields.setdefault(bib_field.key.lower(), []).append(bib_field.value)
    for name, values in fields.items():
        for value in values:
            if name in BIBTEX_NAMES:
                names = value if isinstance(value, list) else re.split(r"\s+and\s+", str(value))
                add(item, BIBTEX_NAMES[name], [n for n in (bibtex_name(one) for one in names) if n])
                continue
            text = latex_text(value) if not isinstance(value, list) else "; ".join(map(latex_text, value))
            if not text:
                continue
            if name == "booktitle":
                add(item, "container-title" if csl_type not in {"book"} else "volume-title", text)
            elif name == "number":
                variable = (
                    "issue"
                    if csl_type in {"article-journal", "article-magazine", "article-newspaper"}
                    else ("collection-number" if item.get("collection-title") or "series" in fields else "number")
                )
                add(item, variable, text)
            elif name == "pages":
                add(item, "page", re.sub(r"\s*-{1,3}\s*|\s*–\s*", "-", text))
            elif name in PUBLISHING_BODIES:
                add(item, "publisher" if not fields.get("publisher") else "bibtex:" + name, text)
            elif name in {"year", "month", "day", "date"}:
                continue
            elif name == "keywords":
                item["keyword"] = [*item.get("keyword", []), *(kw for kw in re.split(r"\s*[,;]\s*", text) if kw)]
            elif name == "note":
                add(item, "note", text)
            elif name in BIBTEX_VARIABLES:
                variable = BIBTEX_VARIABLES[name]
                if variable in {"original-date", "accessed"}:
                    item[variable] = {"raw": text}
                else:
                    add(item, variable, text)
            else:
                add(item, f"bibtex:{name}", text)
    date = first_text(fields.get("date"))
    year, month, day = first_text(fields.get("year")), first_text(fields.get("month")), first_text(fields.get("day"))
    if date:
        item["issued"] = {"raw": date}
    elif year:
        month_number = MONTH_NUMBERS.get(month.lower()[:3]) if month and not month.isdigit() else month
        raw = "-".join(str(part) for part in (year, month_number, day) if part)
        item["issued"] = {"raw": raw}
        if month and not month_number:
            item["bibtex:month"] = month
    if item.get("type") == "thesis" and fields.get("type"):
        item["genre"] = latex_text(fields["type"][0])
    for variable in ("note", "abstract", "annote"):
        if isinstance(item.get(variable), list):
            item[variable] = "\n\n".join(item[variable])
    for role in set(BIBTEX_NAMES.values()):
        if role in item:
            item[role] = flatten(item[role])
    return item


def first_text(values):
    return latex_text(values[0]) if values else ""


def recovered_entries(library):
    """The entries bibtexparser set aside although they were read: a field repeated (two `keywords`),
    a key repeated, or names its middleware could not split (a real export has all three). Each goes
    through the middlewares a parsed entry goes through, as far as it can (a name left unsplit is read
    by `bibtex_name`)."""
    kinds = (
        bibtex_model.DuplicateFieldKeyBlock,
        bibtex_model.DuplicateBlockKeyBlock,
        bibtex_model.MiddlewareErrorBlock,
    )
    strings = list(library.strings)
    entries = []
    for block in library.failed_blocks:
        entry = getattr(block, "ignore_error_block", None)
        if not isinstance(block, kinds) or not isinstance(entry, bibtex_model.Entry):
            continue
        if not isinstance(block, bibtex_model.MiddlewareErrorBlock):
            for middleware in (
                bibtexparser.middlewares.ResolveStringReferencesMiddleware(),
                bibtexparser.middlewares.RemoveEnclosingMiddleware(),
                SeparateCoAuthors(),
                SplitNameParts(),
            ):
                transformed = middleware.transform(bibtexparser.Library([*strings, entry]))
                if transformed.entries:
                    entry = transformed.entries[0]
        entries.append(entry)
    return entries


KEYLESS_ENTRY = re.compile(r"(@\s*(?!(?i:string|preamble|comment)\b)[A-Za-z]+\s*[{(])(\s*[A-Za-z][\w-]*\s*=)")


def with_keys(text):
    """BibTeX with a key given to each entry written without one (EndNote's `@article{ author = ...`),
    which bibtexparser cannot read otherwise; the keys are the portal's, never shown."""
    count = iter(range(1, 1_000_000))
    return KEYLESS_ENTRY.sub(lambda match: f"{match.group(1)}portal-keyless-{next(count)},{match.group(2)}", text)


def from_bibtex(text):
    text = with_keys(text)
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    entries = sorted([*library.entries, *recovered_entries(library)], key=lambda entry: entry.start_line or 0)
    number = 0
    for block in library.failed_blocks:
        if not isinstance(getattr(block, "ignore_error_block", None), bibtex_model.Entry):
            number += 1
            yield number, ValueError(_("This BibTeX record could not be read: %(error)s") % {"error": block.error})
    for entry in entries:
        number += 1
        try:
            yield number, bibtex_item(entry)
        except (AttributeError, TypeError, ValueError) as error:
            yield number, ValueError(_("This BibTeX record could not be read: %(error)s") % {"error": error})


# -- CSL-JSON ----------------------------------------------------------------------------------------
MAX_JSON_DEPTH = 20


def json_depth(value, depth=0):
    """How deeply `value` nests (a CSL item is 4 deep: list, item, name list, name)."""
    if depth > MAX_JSON_DEPTH:
        return depth
    if isinstance(value, dict):
        return max((json_depth(part, depth + 1) for part in value.values()), default=depth + 1)
    if isinstance(value, list):
        return max((json_depth(part, depth + 1) for part in value), default=depth + 1)
    return depth


def from_csl_json(text):
    try:
        items = json.loads(text.lstrip("\ufeff"))
    except RecursionError:
        raise ValueError(_("the JSON nests too deeply")) from None
    if isinstance(items, dict):
        items = items.get("items", [items])
    if not isinstance(items, list):
        raise ValueError(_("CSL-JSON is a list of items (objects)"))
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield number, ValueError(_("A CSL-JSON item must be an object."))
        elif json_depth(item) > MAX_JSON_DEPTH:
            yield number, ValueError(_("This item nests deeper than any CSL item (%(limit)d levels).") % {
                "limit": MAX_JSON_DEPTH})  # fmt: skip
        else:
            yield number, item


READERS = {"ris": from_ris, "bibtex": from_bibtex, "csl-json": from_csl_json}


def guess_format(file_name, text):
    """'ris', 'bibtex' or 'csl-json' from the file's extension, else its first characters; None if unknown."""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    by_extension = {"ris": "ris", "txt": None, "bib": "bibtex", "bibtex": "bibtex", "json": "csl-json"}
    if by_extension.get(extension):
        return by_extension[extension]
    start = text.lstrip("\ufeff \r\n\t")[:20]
    if TAG_LINE.match(start.split("\n")[0]) and start.startswith("TY"):
        return "ris"
    if start.startswith("@"):
        return "bibtex"
    if start.startswith(("[", "{")):
        return "csl-json"
    return None


def read_references(text, fmt):
    """[Reference] of a file's text in `fmt` ('ris', 'bibtex', 'csl-json'), in the file's order: each
    with its CSL item, the entry's values (cleaned text, normalised identifiers, warnings for what was
    kept as written) or the `error` that keeps it out. Raises ValueError when the file as a whole
    cannot be read."""
    try:
        records = list(READERS[fmt](clean_text(text)))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        message = _("The file could not be read as %(format)s: %(error)s") % {"format": fmt, "error": error}
        raise ValueError(message) from None
    return [make_reference(number, record) for number, record in records]


def make_reference(number, record):
    if isinstance(record, Exception):
        return Reference(number=number, error=str(record))
    values = entry_values(record, max_creators=MAX_CREATORS_PER_ENTRY)
    reference = Reference(number=number, item=record, values=values, error=values.error)
    for creator in values.creators:
        if creator["kind"] == CreatorKind.PERSON and not creator["family"]:
            reference.error = _("a person without a family name")
    return reference


def as_list(value):
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


__all__ = ["READERS", "CreatorRole", "Reference", "guess_format", "read_references", "title_key"]
