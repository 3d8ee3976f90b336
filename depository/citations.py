"""Citations of depository entries: RIS, BibTeX, CSL-JSON, a formatted reference, Highwire
`citation_*` meta tags and schema.org JSON-LD.

Every function takes entries whose `tags` are prefetched (or a single entry) and absolute URLs built
by the caller; none of them queries the database per entry beyond what is prefetched. Nothing is
invented: a field the entry does not have is left out.
"""

import json
import re

from depository.models import EntryKind

RIS_TYPES = {EntryKind.MEETING_REPORT: "RPRT", EntryKind.INPUT_PAPER: "UNPB", EntryKind.GUIDANCE: "RPRT"}
BIBTEX_TYPES = {EntryKind.MEETING_REPORT: "techreport", EntryKind.INPUT_PAPER: "unpublished"}
CSL_TYPES = {EntryKind.MEETING_REPORT: "report", EntryKind.GUIDANCE: "report", EntryKind.INPUT_PAPER: "manuscript"}
SCHEMA_TYPES = {EntryKind.MEETING_REPORT: "Report", EntryKind.GUIDANCE: "Report", EntryKind.INPUT_PAPER: "Article"}


def one_line(text):
    return re.sub(r"\s+", " ", text or "").strip()


def tag_names(entry):
    return sorted(tag.name for tag in entry.tags.all())


# -- RIS -------------------------------------------------------------------------------------------
def ris_record(entry, url):
    lines = [("TY", RIS_TYPES.get(entry.kind, "GEN")), ("ID", entry.slug), ("TI", entry.title)]
    lines += [("AU", author) for author in entry.author_list]
    if entry.year:
        lines.append(("PY", str(entry.year)))
    if entry.publisher:
        lines.append(("PB", entry.publisher))
    if entry.summary:
        lines.append(("AB", entry.summary))
    if entry.annotation:
        lines.append(("N1", entry.annotation))
    lines += [("KW", name) for name in tag_names(entry)]
    lines.append(("LA", entry.get_language_display()))
    if entry.external_url:
        lines.append(("UR", entry.external_url))
    lines.append(("UR", url))
    body = "".join(f"{tag}  - {one_line(value)}\r\n" for tag, value in lines)
    return body + "ER  - \r\n"


def to_ris(entries, url_for):
    """One RIS file of the entries. `url_for(entry)` gives each entry's absolute page URL."""
    return "\r\n".join(ris_record(entry, url_for(entry)) for entry in entries)


# -- BibTeX ----------------------------------------------------------------------------------------
BIBTEX_SPECIALS = {
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
BIBTEX_PATTERN = re.compile("|".join(re.escape(char) for char in BIBTEX_SPECIALS))


def bibtex_escape(text):
    return BIBTEX_PATTERN.sub(lambda match: BIBTEX_SPECIALS[match.group(0)], one_line(text))


def bibtex_record(entry, url):
    kind = BIBTEX_TYPES.get(entry.kind, "misc")
    fields = [("title", "{" + bibtex_escape(entry.title) + "}")]
    if entry.author_list:
        # Braced: the names are kept as written (the reports do not split given and family names).
        fields.append(("author", " and ".join("{" + bibtex_escape(name) + "}" for name in entry.author_list)))
    if entry.year:
        fields.append(("year", str(entry.year)))
    if entry.publisher:
        fields.append(("institution" if kind == "techreport" else "publisher", bibtex_escape(entry.publisher)))
    if entry.summary:
        fields.append(("abstract", bibtex_escape(entry.summary)))
    if entry.annotation:
        fields.append(("annote", bibtex_escape(entry.annotation)))
    if kind == "unpublished":
        fields.append(("note", "Input paper proposed to the TWG"))
    tags = tag_names(entry)
    if tags:
        fields.append(("keywords", bibtex_escape(", ".join(tags))))
    fields.append(("language", entry.get_language_display()))
    fields.append(("url", entry.external_url or url))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{entry.slug},\n{body}\n}}\n"


def to_bibtex(entries, url_for):
    return "\n".join(bibtex_record(entry, url_for(entry)) for entry in entries)


# -- CSL-JSON --------------------------------------------------------------------------------------
def csl_item(entry, url):
    item = {"id": entry.slug, "type": CSL_TYPES.get(entry.kind, "document"), "title": entry.title}
    if entry.author_list:
        item["author"] = [{"literal": name} for name in entry.author_list]
    if entry.year:
        item["issued"] = {"date-parts": [[entry.year]]}
    if entry.publisher:
        item["publisher"] = entry.publisher
    if entry.summary:
        item["abstract"] = entry.summary
    if entry.annotation:
        item["note"] = entry.annotation
    tags = tag_names(entry)
    if tags:
        item["keyword"] = ", ".join(tags)
    item["language"] = entry.language
    item["URL"] = entry.external_url or url
    return item


def to_csl_json(entries, url_for):
    return json.dumps([csl_item(entry, url_for(entry)) for entry in entries], ensure_ascii=False, indent=2)


# -- On the entry page -----------------------------------------------------------------------------
def formatted(entry, url):
    """A plain reference: Authors (Year). Title. Publisher. URL"""
    who = "; ".join(entry.author_list) or entry.publisher
    parts = [f"{who} ({entry.year or 'n.d.'})." if who else f"({entry.year or 'n.d.'}).", f"{entry.title}."]
    if entry.publisher and entry.publisher != who:
        parts.append(f"{entry.publisher}.")
    parts.append(entry.external_url or url)
    return " ".join(parts)


def highwire_meta(entry, *, url, pdf_url=None):
    """(name, content) pairs of the Highwire Press tags Google Scholar reads."""
    meta = [("citation_title", entry.title)]
    meta += [("citation_author", author) for author in entry.author_list]
    if entry.year:
        meta.append(("citation_publication_date", str(entry.year)))
    if entry.publisher:
        name = "citation_technical_report_institution" if entry.kind == "meeting_report" else "citation_publisher"
        meta.append((name, entry.publisher))
    meta.append(("citation_language", entry.language))
    tags = tag_names(entry)
    if tags:
        meta.append(("citation_keywords", "; ".join(tags)))
    meta.append(("citation_abstract_html_url", url))
    if pdf_url:
        meta.append(("citation_pdf_url", pdf_url))
    return meta


def json_ld(entry, *, url):
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(entry.kind, "CreativeWork"),
        "name": entry.title,
        "url": url,
        "inLanguage": entry.language,
        "genre": str(entry.get_kind_display()),
    }
    if entry.summary:
        data["description"] = entry.summary
    if entry.author_list:
        data["author"] = [{"@type": "Person", "name": name} for name in entry.author_list]
    if entry.publisher:
        data["publisher"] = {"@type": "Organization", "name": entry.publisher}
    if entry.year:
        data["datePublished"] = str(entry.year)
    if entry.external_url:
        data["sameAs"] = entry.external_url
    tags = tag_names(entry)
    if tags:
        data["keywords"] = tags
    themes = [theme.name for theme in entry.themes.all()]
    if themes:
        data["about"] = themes
    cities = [{"@type": "City", "name": city.name} for city in entry.cities.all()]
    if cities:
        data["spatialCoverage"] = cities
    return data
