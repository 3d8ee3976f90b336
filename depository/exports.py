"""The depository's export formats, each declared once: name, label, media type, file extension and
the writer of the file, and where the format is offered.

A declaration (an `ExportFormat`) drives:
- the downloads: an entry's `<slug>/cite.<extension>` (formats `on_entry_page`) and the literature
  review's `literature/literature.<extension>` (every format), in the format's media type;
- the links to them on the entry page and on the literature review (`on_entry_page`, `on_literature`);
- the briefing pack's files (`pack_file`: the file's name in the ZIP);
- OAI-PMH's metadata formats (`oai`: an XML format harvesters can ask for; oai_dc is the
  repository's own, always there: depository/oai/repository.py).

The registry is the setting DEPOSITORY_EXPORT_FORMATS: a list of declarations or dotted paths to one
or to a list of them, in the order the links are shown (default: this module's FORMATS).
"""

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from core import spreadsheets
from depository import citations, csl
from depository.creators import shown_creators


@dataclass(frozen=True)
class OaiFormat:
    """An OAI-PMH metadata format (metadataPrefix, its XML schema and namespace) and the writer of one
    record's metadata: write(element, entry, creators) adds the record's XML under the lxml `element`;
    `creators` are the entry's creators the public may see, in order."""

    prefix: str
    schema: str
    namespace: str
    write: Callable


@dataclass(frozen=True)
class ExportFormat:
    """One export format. write(entries, viewer, url_for) -> the file's text (`entries` prefetched as
    depository.packs.for_export does; `viewer` a people.privacy.Viewer: creators hidden from it are
    left out; `url_for(entry)` its absolute page URL)."""

    name: str
    label: str
    media_type: str
    extension: str
    write: Callable
    # A link on the entry page, which serves the format for one entry.
    on_entry_page: bool = True
    # A link on the literature review (which serves every format).
    on_literature: bool = True
    # The file's name in the briefing pack ("" when the pack has none).
    pack_file: str = ""
    oai: OaiFormat | None = None


# -- CSV: the entries' metadata --------------------------------------------------------------------
CSV_COLUMNS = [
    ("slug", lambda e: e.slug),
    ("title", lambda e: e.title),
    ("kind", lambda e: e.get_kind_display()),
    ("authors", None),  # the creators the viewer may see, 'Family, Given; Organization'
    # The bibliographic record's main fields (issue 20; the whole record is in the RIS, BibTeX and CSL-JSON files).
    ("item_type", lambda e: e.work_type),
    ("container_title", lambda e: e.container_title),
    ("collection_title", lambda e: e.collection_title),
    ("volume", lambda e: e.volume),
    ("issue", lambda e: e.issue),
    ("pages", lambda e: e.page),  # "page" is the entry's page on the portal (the last column)
    ("edition", lambda e: e.edition),
    ("publisher", lambda e: e.publisher),
    ("publisher_place", lambda e: e.publisher_place),
    ("year", lambda e: e.year or ""),
    (
        "date_issued",
        lambda e: "-".join(f"{part:02d}" if n else str(part) for n, part in enumerate(csl.issued_parts(e))),
    ),
    ("doi", lambda e: e.doi),
    ("isbn", lambda e: e.isbn),
    ("issn", lambda e: e.issn),
    ("report_number", lambda e: e.report_number),
    ("language", lambda e: e.language),
    ("summary", lambda e: e.summary),
    ("annotation", lambda e: e.annotation),
    ("evidence_level", lambda e: e.get_evidence_level_display() if e.evidence_level else ""),
    ("themes", lambda e: "; ".join(t.name for t in e.themes.all())),
    ("city_types", lambda e: "; ".join(t.name for t in e.city_types.all())),
    ("violence_types", lambda e: "; ".join(t.name for t in e.violence_types.all())),
    ("cities", lambda e: "; ".join(str(c) for c in e.cities.all())),
    ("tags", lambda e: "; ".join(citations.tag_names(e))),
    ("external_url", lambda e: e.external_url),
]


def authors_cell(entry, viewer):
    return "; ".join(creator.inverted_name for creator in shown_creators(entry, viewer))


def write_csv(entries, handle, url_for, viewer):
    """The entries' metadata as CSV rows; the authors column holds only the creators `viewer` may see."""
    writer = spreadsheets.writer(handle)  # every cell neutralised against formulas
    writer.writerow([name for name, _ in CSV_COLUMNS] + ["page"])
    for entry in entries:
        cells = [authors_cell(entry, viewer) if value is None else value(entry) for _, value in CSV_COLUMNS]
        writer.writerow([str(cell) for cell in cells] + [url_for(entry)])


def to_csv(entries, viewer, url_for):
    """The CSV file's text, with a byte order mark: spreadsheets then read it as UTF-8."""
    text = io.StringIO()
    write_csv(entries, text, url_for, viewer)
    return "\ufeff" + text.getvalue()


FORMATS = [
    ExportFormat(
        "ris",
        "RIS",
        "application/x-research-info-systems; charset=utf-8",
        "ris",
        citations.to_ris,
        pack_file="citations.ris",
    ),
    ExportFormat("bibtex", "BibTeX", "application/x-bibtex; charset=utf-8", "bib", citations.to_bibtex),
    ExportFormat(
        "csl_json",
        "CSL-JSON",
        "application/vnd.citationstyles.csl+json; charset=utf-8",
        "json",
        citations.to_csl_json,
        on_literature=False,
    ),
    ExportFormat("csv", "CSV", "text/csv; charset=utf-8", "csv", to_csv, on_entry_page=False, pack_file="entries.csv"),
]


# -- the registry ----------------------------------------------------------------------------------
def _declarations(item):
    found = import_string(item) if isinstance(item, str) else item
    return list(found) if isinstance(found, list | tuple) else [found]


@functools.cache
def registered():
    """The formats of settings.DEPOSITORY_EXPORT_FORMATS, in link order. ImproperlyConfigured on a
    repeated name, extension, pack file or OAI prefix."""
    formats = [found for item in settings.DEPOSITORY_EXPORT_FORMATS for found in _declarations(item)]
    for what in ("name", "extension"):
        values = [getattr(found, what) for found in formats]
        if len(set(values)) != len(values):
            raise ImproperlyConfigured(f"DEPOSITORY_EXPORT_FORMATS: a {what} is repeated: {values}.")
    pack_files = [found.pack_file for found in formats if found.pack_file]
    prefixes = ["oai_dc"] + [found.oai.prefix for found in formats if found.oai]
    for what, values in (("pack file", pack_files), ("OAI prefix", prefixes)):
        if len(set(values)) != len(values):
            raise ImproperlyConfigured(f"DEPOSITORY_EXPORT_FORMATS: a {what} is repeated: {values}.")
    return formats


def by_extension():
    """{extension: ExportFormat}: what the download URLs name."""
    return {found.extension: found for found in registered()}


def on_entry_page():
    return [found for found in registered() if found.on_entry_page]


def on_literature():
    return [found for found in registered() if found.on_literature]


def in_pack():
    return [found for found in registered() if found.pack_file]


def oai_formats():
    return [found.oai for found in registered() if found.oai]


def registry_changed(setting, **kwargs):
    if setting == "DEPOSITORY_EXPORT_FORMATS":
        registered.cache_clear()
