"""BibTeX from a CSL item, written by bibtexparser 2.

One dialect that BibTeX and BibLaTeX both read (docs/citations.md, "The exports"): BibTeX's entry types
and field names where BibTeX has one (`journal`, `address`, `institution`, `school`, `year` and
`month`, which BibLaTeX reads as aliases of `journaltitle`, `location`, `date`), BibLaTeX's where
BibTeX has none (`online`, `dataset`, `software`, `urldate`, `pagetotal`, `eventtitle`, `translator`,
`origdate` ...): BibTeX's styles ignore a field they do not know and set an entry of an unknown type
as `misc`. The maps follow Zotero's and Better BibTeX's BibTeX exports and biblatex's manual, and
the portal's own reader (depository/references/readers.py: BIBTEX_TYPES, BIBTEX_VARIABLES), so that an
export imported again is the same record. A CSL variable with no field is a "variable: value" line of
`note` (as Zotero writes its Extra field to `note`).
"""

import re

import bibtexparser
from bibtexparser import model as bibtex

from depository.citations.base import date_parts_of, extra_lines, iso_date, keywords, name_text, page_range
from depository.csl import text_of
from depository.models import Language

# CSL type -> entry type. A thesis is a phdthesis unless its genre says master's.
BIBTEX_TYPES = {
    "article": "article",
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "review": "article",
    "review-book": "article",
    "book": "book",
    "classic": "book",
    "periodical": "periodical",  # BibLaTeX
    "chapter": "incollection",  # a part of a book with its own title (Zotero: bookSection)
    "entry-dictionary": "inreference",  # BibLaTeX
    "entry-encyclopedia": "inreference",
    "paper-conference": "inproceedings",
    "report": "techreport",  # BibLaTeX: an alias of @report with type = {techreport}
    "thesis": "phdthesis",
    "manuscript": "unpublished",
    "pamphlet": "booklet",
    "webpage": "online",  # BibLaTeX (BibTeX: misc); Zotero writes misc, Better BibTeX online
    "post": "online",
    "post-weblog": "online",
    "dataset": "dataset",  # BibLaTeX
    "software": "software",  # BibLaTeX
    "patent": "patent",  # BibLaTeX
    "standard": "standard",  # BibLaTeX
    "legislation": "legislation",  # BibLaTeX (a type biblatex reserves; Better BibTeX writes it)
    "legal_case": "jurisdiction",
    "speech": "unpublished",  # a talk: biblatex's manual sets talks as unpublished with a `howpublished`
    "motion_picture": "movie",
    "song": "audio",
    "graphic": "artwork",
    "personal_communication": "letter",
}
DEFAULT_TYPE = "misc"
ARTICLE_TYPES = {"article-journal", "article-magazine", "article-newspaper", "article", "review", "review-book"}

# CSL variable -> field, the same for every type.
BIBTEX_FIELDS = {
    "title-short": "shorttitle",
    "container-title-short": "shortjournal",  # BibLaTeX
    "collection-title": "series",
    "volume": "volume",
    "number-of-pages": "pagetotal",  # BibLaTeX
    "number-of-volumes": "volumes",  # BibLaTeX
    "edition": "edition",
    "event-title": "eventtitle",  # BibLaTeX
    "event-place": "venue",  # BibLaTeX
    "publisher-place": "address",  # BibTeX (BibLaTeX: an alias of location)
    "genre": "type",  # a report's or thesis's type
    "abstract": "abstract",
    "URL": "url",
    "DOI": "doi",
    "ISBN": "isbn",
    "ISSN": "issn",
    "call-number": "library",  # BibLaTeX
    "license": "rights",  # Better BibTeX
    "chapter-number": "chapter",
    "part": "part",
    "version": "version",
    "medium": "howpublished",
    "PMID": "pmid",
    "PMCID": "pmcid",
    "original-title": "origtitle",
    "volume-title": "maintitle",
    "status": "pubstate",
    "references": "addendum",
    "annote": "annote",  # the TWG's annotation (Zotero writes notes to annote)
}
BIBTEX_NAMES = {
    "author": "author",
    "editor": "editor",
    "translator": "translator",  # BibLaTeX
    "container-author": "bookauthor",  # BibLaTeX
}
# Who publishes a type's works, in BibTeX's own field for it.
PUBLISHER_FIELDS = {"report": "institution", "thesis": "school"}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
# Fields written verbatim: the url package reads a link as it is, a DOI and a date have no LaTeX.
VERBATIM = {"url", "doi", "urldate", "date", "origdate", "isbn", "issn"}
SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
SPECIAL_PATTERN = re.compile("|".join(re.escape(char) for char in SPECIALS))


def escape(text, *, keep_lines=False):
    """LaTeX's special characters escaped; Unicode kept (biber and bibtexparser read UTF-8). A paragraph
    break of a note or an abstract is kept as LaTeX's (a blank line)."""
    text = str(text)
    if keep_lines:
        paragraphs = [re.sub(r"[ \t]+", " ", part).strip() for part in re.split(r"\n", text)]
        text = "\n\n".join(part for part in paragraphs if part)
    else:
        text = re.sub(r"\s+", " ", text).strip()
    return SPECIAL_PATTERN.sub(lambda match: SPECIALS[match.group(0)], text)


def braced(text):
    return "{" + text + "}"


def bibtex_name(name):
    """'Family, Given' for a person; an organization braced whole, so BibTeX never splits it."""
    text = escape(name_text(name))
    return braced(text) if name.get("literal") and not name.get("family") else text


def language_name(code):
    """A language as BibLaTeX's `language` field takes it: the portal's codes by their English name
    ('es' -> 'Spanish'), any other as written ('en-US', 'German')."""
    if code in Language.values:
        return {"en": "English", "es": "Spanish", "fr": "French", "ar": "Arabic"}.get(code, code)
    return code


def bibtex_entry(item):
    """One bibtexparser Entry of a CSL item (depository.csl.csl_item, with native="bibtex": the fields
    kept from a BibTeX import come back under their names). Every value is braced here, so the writer
    adds nothing; only `month` is a bare macro (`mar`), as BibTeX and BibLaTeX both read it."""
    csl_type = item.get("type", "document")
    entry_type = BIBTEX_TYPES.get(csl_type, DEFAULT_TYPE)
    if csl_type == "thesis" and re.search(r"(?i)master|msc|m\.a\b|magister", item.get("genre", "")):
        entry_type = "mastersthesis"
    fields = []

    def put(name, value, *, raw=False):
        if value in (None, ""):
            return
        if raw:
            fields.append((name, str(value)))
        elif name in VERBATIM:
            fields.append((name, braced(text_of(value).replace("{", "").replace("}", ""))))
        else:
            fields.append((name, braced(escape(value, keep_lines=name in {"abstract", "note", "annote"}))))

    # The title braced twice: BibTeX styles keep its capitals as written.
    put("title", braced(braced(escape(item.get("title", "")))), raw=True)
    for variable, name in BIBTEX_NAMES.items():
        if item.get(variable):
            put(name, braced(" and ".join(bibtex_name(one) for one in item[variable])), raw=True)
    written = {"title", "type", "note", "keyword", "language", "issued", "accessed", "original-date", "page",
               "container-title", "publisher", "issue", "number", "collection-number", *BIBTEX_NAMES}  # fmt: skip
    container = item.get("container-title", "")
    put("journal" if csl_type in ARTICLE_TYPES else "booktitle", container)
    first, last = page_range(item.get("page"))
    put("pages", f"{first}--{last}" if last else first)
    # `number`: an article's issue, a report's (or patent's, standard's, bill's) number, else the number in
    # the series (BibTeX's and biblatex's meaning; the portal's reader reads it back the same way).
    if csl_type in ARTICLE_TYPES:
        put("number", item.get("issue"))
    elif item.get("number"):
        put("number", item["number"])
        put("issue", item.get("issue"))  # biblatex's issue of a periodical
    else:
        put("number", item.get("collection-number"))
        put("issue", item.get("issue"))
    if csl_type in ARTICLE_TYPES or item.get("number"):
        written.discard("collection-number")  # `number` taken: the series' number is a line of the note
    put(PUBLISHER_FIELDS.get(csl_type, "publisher"), item.get("publisher"))
    for variable, name in BIBTEX_FIELDS.items():
        put(name, item.get(variable))
    written |= set(BIBTEX_FIELDS)
    parts = date_parts_of(item.get("issued"))
    if parts:
        put("year", str(parts[0]))
        if len(parts) > 1:
            put("month", MONTHS[parts[1] - 1], raw=True)
        if len(parts) > 2:
            put("date", iso_date(item["issued"]))  # BibLaTeX: the day (BibTeX has no field for it)
    elif item.get("issued"):
        put("date", iso_date(item["issued"]))
    put("urldate", iso_date(item["accessed"]) if item.get("accessed") else "")
    put("origdate", iso_date(item["original-date"]) if item.get("original-date") else "")
    put("keywords", ", ".join(keywords(item)))
    put("language", language_name(item.get("language", "")))
    own = [(key[len("bibtex:") :], value) for key, value in item.items() if key.startswith("bibtex:")]
    taken = {name for name, _ in fields}
    for name, value in own:
        if name not in taken:
            put(name, "; ".join(map(str, value)) if isinstance(value, list) else value)
    note = "\n".join(filter(None, [item.get("note", ""), *extra_lines(item, written)]))
    put("note", note)
    return bibtex.Entry(entry_type, item["id"], [bibtex.Field(name, value) for name, value in fields])


def to_bibtex(items):
    library = bibtexparser.Library([bibtex_entry(item) for item in items])
    return bibtexparser.write_string(library, unparse_stack=[])
