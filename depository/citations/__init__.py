"""Citations of depository entries: RIS (rispy), BibTeX (bibtexparser), CSL-JSON, formatted references
in APA and Chicago (citeproc-py), Highwire `citation_*` meta tags and schema.org JSON-LD.

Every format starts from the one CSL-JSON item of the entry, `depository.csl.csl_item(entry, viewer)`
(docs/citations.md, "The exports"): each module here maps CSL to its format once, in declared tables
(`ris.RIS_TYPES`/`RIS_KEYS`, `bibtex.BIBTEX_TYPES`/`BIBTEX_FIELDS`, `web.SCHEMA_TYPES`, `web.HIGHWIRE`).
The item carries only what the viewer (a `people.privacy.Viewer`) may see: creators as their disclosure
allows (`depository.creators.shown_creators`), notes and a reference manager's own fields only when
`csl.notes_visible`. Entries must come with `tags` and `creators_prefetch()` prefetched
(`with_citation_data`); nothing here queries per entry beyond that. Nothing is invented: a field the
entry does not have is left out.
"""

import json

from depository import csl
from depository.citations import bibtex, ris
from depository.citations.styles import CITATION_STYLES, formatted
from depository.citations.web import highwire_meta, json_ld
from depository.creators import creators_prefetch

__all__ = [
    "CITATION_STYLES",
    "csl_item",
    "csl_json_item",
    "formatted",
    "highwire_meta",
    "json_ld",
    "tag_names",
    "to_bibtex",
    "to_csl_json",
    "to_ris",
    "with_citation_data",
]


def with_citation_data(entries):
    """The prefetches every function here relies on (two queries, whatever the number of entries)."""
    return entries.prefetch_related("tags", creators_prefetch())


def tag_names(entry):
    return sorted(tag.name for tag in entry.tags.all())


def csl_item(entry, viewer, *, url, native=""):
    """The entry as one CSL-JSON item: depository.csl.csl_item, the one mapping (docs/citations.md)."""
    return csl.csl_item(entry, viewer, url=url, native=native)


def to_ris(entries, viewer, url_for):
    """One RIS file of the entries. `url_for(entry)` gives each entry's absolute page URL."""
    return ris.to_ris([csl_item(entry, viewer, url=url_for(entry), native="ris") for entry in entries])


def to_bibtex(entries, viewer, url_for):
    return bibtex.to_bibtex([csl_item(entry, viewer, url=url_for(entry), native="bibtex") for entry in entries])


# -- CSL-JSON --------------------------------------------------------------------------------------
# CSL 1.0.2 variables the published schema (csl-data.json, whose items allow no other property) does not
# list yet, and the schema's own spelling of one: written as "variable: value" lines of `note`, the way
# Zotero and citeproc-js carry a variable the item cannot hold.
NOT_IN_SCHEMA = {"license"}
SCHEMA_SPELLING = {"archive-collection": "archive_collection"}


def csl_json_item(item):
    """A csl_item as csl-data.json accepts it (tests/test_depository_citations.py validates every export)."""
    item = {SCHEMA_SPELLING.get(key, key): value for key, value in item.items()}
    lines = [f"{name}: {item.pop(name)}" for name in sorted(NOT_IN_SCHEMA) if name in item]
    if lines:
        item["note"] = "\n".join(filter(None, [item.get("note", ""), *lines]))
    return item


def to_csl_json(entries, viewer, url_for):
    items = [csl_json_item(csl_item(entry, viewer, url=url_for(entry))) for entry in entries]
    return json.dumps(items, ensure_ascii=False, indent=2)
