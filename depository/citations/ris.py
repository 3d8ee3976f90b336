"""RIS from a CSL item, written by rispy (its default tag map, rispy.TAG_KEY_MAPPING: the writer is given
rispy's keys, never tags).

The maps follow Zotero's RIS translator (github.com/zotero/translators, RIS.js: `exportTypeMap` and
`fieldMap`), which EndNote, Mendeley and Zotero itself read back, and the portal's own RIS reader
(depository/references/readers.py), so that an export imported again is the same record. Where the two
differ the reader wins, and the table says so. A CSL variable RIS has no tag for is written as a
"variable: value" line of N1 (as Zotero keeps what it cannot map in Extra).
"""

import rispy

from depository.citations.base import (
    date_parts_of,
    extra_lines,
    iso_date,
    keywords,
    name_text,
    one_line,
    page_range,
)
from depository.csl import text_of

# CSL type -> RIS TY (Zotero's exportTypeMap, with CSL's names; RIS's own type where Zotero has none).
RIS_TYPES = {
    "article": "JOUR",  # a preprint: RIS has no type for it
    "article-journal": "JOUR",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "bill": "BILL",
    "book": "BOOK",
    "broadcast": "MPCT",
    "chapter": "CHAP",
    "classic": "CLSWK",
    "dataset": "DATA",
    "entry-dictionary": "DICT",
    "entry-encyclopedia": "ENCYC",
    "figure": "FIGURE",
    "graphic": "ART",
    "hearing": "HEAR",
    "interview": "PCOMM",
    "legal_case": "CASE",
    "legislation": "STAT",
    "manuscript": "MANSCPT",
    "map": "MAP",
    "motion_picture": "MPCT",
    "musical_score": "MUSIC",
    "pamphlet": "PAMP",
    # Zotero writes CONF; RIS's specification and rispy name CPAPER "Conference paper" (both read back).
    "paper-conference": "CPAPER",
    "patent": "PAT",
    "periodical": "JFULL",
    "personal_communication": "PCOMM",
    "post": "ICOMM",
    "post-weblog": "BLOG",
    "regulation": "LEGAL",
    "report": "RPRT",
    "review": "JOUR",
    "review-book": "JOUR",
    "software": "COMP",
    "song": "SOUND",
    "speech": "SLIDE",
    "standard": "STAND",
    "thesis": "THES",
    "webpage": "ELEC",
}
DEFAULT_TYPE = "GEN"  # document, collection, entry, event, performance, treaty: RIS's Generic

# CSL variable -> rispy key (tag), the same for every type.
RIS_KEYS = {
    "title": "title",  # TI
    "title-short": "short_title",  # ST
    # T2: the journal, the book of a chapter, the proceedings, the web site (Zotero: publicationTitle,
    # bookTitle, websiteTitle ...; for a conference paper Zotero writes the conference's name in T2 and the
    # proceedings in C3: the portal's reader reads T2 as the container whatever the type).
    "container-title": "secondary_title",
    "container-title-short": "alternate_title1",  # J2
    # T3: the series, for every type (Zotero: bookSection, conferencePaper, journalArticle; it reads a
    # book's T3 as its series too; the portal's reader reads T3 as the series always).
    "collection-title": "tertiary_title",
    "volume": "volume",  # VL
    "number-of-volumes": "number_of_volumes",  # NV
    "edition": "edition",  # ET
    "publisher": "publisher",  # PB (a report's institution, a thesis's university: Zotero)
    "publisher-place": "place_published",  # CY
    "genre": "type_of_work",  # M3 (Zotero: reportType, thesisType, websiteType ...)
    "abstract": "abstract",  # AB
    "DOI": "doi",  # DO
    "language": "language",  # LA
    "call-number": "call_number",  # CN
    "archive": "name_of_database",  # DB (Zotero: archive)
    "archive_location": "accession_number",  # AN (Zotero: archiveLocation)
    "source": "database_provider",  # DP (Zotero: libraryCatalog)
    "section": "section",  # SE
    "original-title": "original_publication",  # OP
    "reviewed-title": "reviewed_item",  # RI
}
# CSL name variable -> rispy key. Zotero writes a book's editors to A3 and its series editors to A2; the
# portal's reader (and RIS's specification for most types) reads A2 as editors, A3 as series editors.
RIS_NAME_KEYS = {
    "author": "authors",  # AU
    "editor": "secondary_authors",  # A2
    "collection-editor": "tertiary_authors",  # A3
    "translator": "subsidiary_authors",  # A4
}
# Variables written by ris_record itself (pages, identifiers, dates, keywords, notes, a chapter's book author).
SPECIAL = {"page", "number-of-pages", "issue", "number", "ISBN", "ISSN", "URL", "issued", "accessed", "keyword",
           "note", "annote", "license", "event-place", "container-author"}  # fmt: skip
# Types whose number of pages goes to SP (Zotero: numPages of books, theses and manuscripts).
PAGES_COUNT_IN_SP = {"book", "thesis", "manuscript"}
TAG_KEYS = rispy.TAG_KEY_MAPPING  # tag -> rispy key
KEY_TAGS = {key: tag for tag, key in TAG_KEYS.items()}


def ris_date(parts):
    """RIS's date, 'YYYY/MM/DD/' with the parts it has ('2019/03//', '2019///')."""
    year, month, day = (parts + [None, None])[:3]
    return f"{year}/{f'{month:02d}' if month else ''}/{f'{day:02d}' if day else ''}/"


class RisWriter(rispy.RisWriter):
    # rispy numbers each record ("1.") unless the header is overridden; reference managers expect none.
    def set_header(self, count):
        return ""


def ris_record(item):
    """One reference as rispy's dict (keys of rispy.TAG_KEY_MAPPING, a list for a repeated tag) from a CSL
    item (depository.csl.csl_item, with native="ris": the fields kept from a RIS import come back to
    their tags)."""
    csl_type = item.get("type", "document")
    record = {"type_of_reference": [RIS_TYPES.get(csl_type, DEFAULT_TYPE)]}
    unknown = []  # (tag, value) of the tags rispy has no key for

    def put(key, value):
        value = one_line(value) if key not in {"abstract", "notes"} else str(value).strip()
        if value:
            record.setdefault(key, []).append(value)

    put("title", item.get("title", ""))
    for variable, key in RIS_NAME_KEYS.items():
        for name in item.get(variable, []):
            put(key, name_text(name))
    for variable, key in RIS_KEYS.items():
        if variable not in {"title"} and item.get(variable):
            put(key, text_of(item[variable]) if variable != "abstract" else item[variable])
    if csl_type == "chapter":
        for name in item.get("container-author", []):
            put("custom2", name_text(name))  # C2: the book's author (Zotero: bookAuthor of a bookSection)
    if csl_type == "paper-conference" and item.get("event-place"):
        put("custom1", item["event-place"])  # C1: where the conference was (Zotero: place of a conferencePaper)
    first, last = page_range(item.get("page"))
    if first:
        put("start_page", first)
        put("end_page", last)
    elif item.get("number-of-pages") and csl_type in PAGES_COUNT_IN_SP:
        put("start_page", item["number-of-pages"])
    put("number", item.get("issue", ""))  # IS
    # SN holds the report's number (Zotero: reportNumber), an ISSN (journal types) or an ISBN; one of each
    # the item has, the portal's reader telling them apart by their shape.
    for variable in ("number", "ISSN", "ISBN") if csl_type == "report" else ("ISSN", "ISBN"):
        put("issn", item.get(variable, ""))
    parts = date_parts_of(item.get("issued"))
    if parts:
        put("year", str(parts[0]))  # PY: the year (RIS's specification: four digits)
        if len(parts) > 1:
            put("date", ris_date(parts))  # DA: 'YYYY/MM/DD/' at the date's precision
    elif item.get("issued"):
        put("date", iso_date(item["issued"]))  # a date kept as written
    if item.get("accessed"):
        parts = date_parts_of(item["accessed"])
        put("access_date", ris_date(parts).rstrip("/") if parts else iso_date(item["accessed"]))  # Y2
    if item.get("license"):
        unknown.append(("CR", one_line(item["license"])))  # CR: rights (Zotero reads it; rispy has no key for it)
    for word in keywords(item):
        put("keywords", word)
    put("urls", item.get("URL", ""))
    # N1: the TWG's annotation, the notes, then one "variable: value" line per variable RIS has no tag for.
    written = {*RIS_KEYS, *RIS_NAME_KEYS, *SPECIAL, "title", "language"}
    if csl_type != "chapter":
        written.discard("container-author")
    if csl_type != "paper-conference":
        written.discard("event-place")
    if not first and csl_type not in PAGES_COUNT_IN_SP:
        written.discard("number-of-pages")
    if csl_type != "report":
        written.discard("number")
    for text in (item.get("annote"), item.get("note"), "\n".join(extra_lines(item, written))):
        put("notes", text or "")
    # The fields a RIS import kept under their tags ("ris:C1", csl_item's native="ris") go back to them.
    for key, value in item.items():
        if key.startswith("ris:"):
            tag = key[4:]
            for one in value if isinstance(value, list) else [value]:
                if tag in TAG_KEYS and tag not in {"TY", "ER", "UK"}:
                    put(TAG_KEYS[tag], str(one))
                else:
                    unknown.append((tag, one_line(one)))
    return finish(record, unknown)


def finish(record, unknown_tags):
    """rispy's shapes: a list for a list tag (AU, KW, N1, UR ...), a string for a tag written once, a list
    (written as repeated lines, enforce_list_tags=False) for another tag written more than once, and the
    unknown tags as {tag: [values]}."""
    unknown = {}
    for tag, value in unknown_tags:
        if value:
            unknown.setdefault(tag, []).append(value)
    out = {}
    for key, values in record.items():
        values = list(dict.fromkeys(values))
        list_tag = KEY_TAGS.get(key) in rispy.LIST_TYPE_TAGS
        out[key] = values if list_tag or len(values) > 1 else values[0]
    if unknown:
        out["unknown_tag"] = unknown
    return out


def to_ris(items):
    """One RIS file of CSL items (CRLF line ends, as RIS's specification asks)."""
    records = [ris_record(item) for item in items]
    return rispy.dumps(records, implementation=RisWriter, enforce_list_tags=False).replace("\n", "\r\n")
