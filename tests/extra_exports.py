"""An export format a test adds to the registry (settings.DEPOSITORY_EXPORT_FORMATS): one declaration,
nothing else (tests/test_export_registry.py)."""

from lxml.etree import SubElement

from depository.exports import ExportFormat, OaiFormat

TITLES_NS = "https://example.org/twg-titles/"


def to_titles(entries, viewer, url_for):
    """One line per entry: its title and its page."""
    return "".join(f"{entry.title}\t{url_for(entry)}\n" for entry in entries)


def titles_record(element, entry, creators):
    record = SubElement(element, f"{{{TITLES_NS}}}record", nsmap={"t": TITLES_NS})
    SubElement(record, f"{{{TITLES_NS}}}title").text = entry.title
    for creator in creators:
        SubElement(record, f"{{{TITLES_NS}}}creator").text = creator.name


TITLES = ExportFormat(
    "titles",
    "Titles",
    "text/plain; charset=utf-8",
    "txt",
    to_titles,
    pack_file="titles.txt",
    oai=OaiFormat("twg_titles", "https://example.org/twg-titles.xsd", TITLES_NS, titles_record),
)
