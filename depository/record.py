"""The bibliographic record as pages show it (issue 20): the entry page's "Bibliographic record" block,
the literature review's reference line, the link to the text. Only fields that have a value; dates at
their precision, in the page's language; text in the work's language marked with it (lang, dir).

The columns are CSL's variables (depository/csl.py); what a record brought that has no column is in
`Entry.other_variables`: its CSL variables are shown with their names humanised, the reference
manager's own fields ("ris:C1") only with the notes (`csl.notes_visible`). No query: everything is a
column of the entry.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from core.templatetags.languages import in_its_language
from depository.csl import CSL_VARIABLES, TEXT_VARIABLES, notes_visible, unmapped_lines
from depository.models import DatePrecision, ItemType

# other_variables' keys whose value failed a check and has a column (the column is then blank or holds
# the first valid value): shown as "<name> (as written)".
CHECKED_VARIABLES = {*TEXT_VARIABLES, "type", "issued", "original-date", "accessed", "language", "keyword"}


@dataclass(frozen=True)
class Row:
    label: str
    value: str  # escaped HTML (format_html)


def work_text(entry, text):
    """`text` of the record, in the work's language: marked with it when that is not the page's."""
    return in_its_language(text, entry.language)


def whole(entry, variable, column):
    """The column's value, or the whole value kept when the import cut it to the column (csl_item does the same)."""
    value = getattr(entry, column)
    kept = (entry.other_variables or {}).get(variable)
    if value and isinstance(kept, str) and kept.startswith(value):
        return kept
    return value


def issued_text(entry):
    """The date issued at its precision, in the page's language: '2015', 'March 2015', '4 March 2015';
    inside <time datetime>. '' when unknown."""
    if entry.date_issued is not None:
        day = entry.date_issued
        if entry.date_issued_precision == DatePrecision.MONTH:
            return format_html(
                '<time datetime="{}">{}</time>', day.strftime("%Y-%m"), date_format(day, "YEAR_MONTH_FORMAT")
            )
        return format_html('<time datetime="{}">{}</time>', day.isoformat(), date_format(day, "DATE_FORMAT"))
    if entry.year:
        return format_html('<time datetime="{}">{}</time>', entry.year, entry.year)
    return ""


def partial_date_text(text):
    """An original date as stored ('1995', '1995-03', '1995-03-04'), at its precision."""
    parts = [int(part) for part in text.split("-")]
    if len(parts) == 1:
        return format_html('<time datetime="{}">{}</time>', text, parts[0])
    day = datetime.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    shown = date_format(day, "YEAR_MONTH_FORMAT" if len(parts) == 2 else "DATE_FORMAT")
    return format_html('<time datetime="{}">{}</time>', text, shown)


def locator(entry):
    """'volume 12, issue 3, pages 45-67' (the parts there are)."""
    parts = []
    if entry.volume:
        parts.append(_("volume %(volume)s") % {"volume": entry.volume})
    if entry.issue:
        parts.append(_("issue %(issue)s") % {"issue": entry.issue})
    if entry.page:
        parts.append(_("pages %(pages)s") % {"pages": entry.page})
    return ", ".join(parts)


def published_in(entry):
    """The container in italics (<cite>) with volume, issue and pages: the essentials of where a work
    appeared ('' when none of them is known)."""
    container = whole(entry, "container-title", "container_title")
    where = locator(entry)
    if not container:
        return format_html("{}", where) if where else ""
    cite = format_html("<cite>{}</cite>", work_text(entry, container))
    return format_html("{}, {}", cite, where) if where else cite


def publisher_text(entry):
    """'UN-Habitat, Nairobi' (the publisher and its place, either alone)."""
    parts = [work_text(entry, value) for value in (entry.publisher, entry.publisher_place) if value]
    return format_html_join(", ", "{}", ((part,) for part in parts))


def humanised(variable):
    """A CSL variable's name as a label: 'original-publisher' -> 'Original publisher'; 'PMID' stays."""
    if variable.isupper():
        return variable
    words = re.split(r"[-_\s]+", variable)
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def variable_text(value):
    """A CSL value as readable text: names joined by '; ', a date as its parts, a list joined."""
    if isinstance(value, list):
        return "; ".join(filter(None, (variable_text(part) for part in value)))
    if isinstance(value, dict):
        if "date-parts" in value:
            try:
                return "; ".join("-".join(str(part) for part in parts) for parts in value["date-parts"])
            except TypeError:
                pass
        if "family" in value or "given" in value or "literal" in value:
            return value.get("literal") or " ".join(filter(None, (value.get("given"), value.get("family"))))
        if "raw" in value or "literal" in value:
            return str(value.get("raw") or value.get("literal"))
        return "; ".join(f"{key}: {variable_text(part)}" for key, part in value.items())
    if value is None or isinstance(value, bool):
        return ""
    return str(value)


def other_variable_rows(entry):
    """Rows of the CSL variables kept in other_variables, in name order. A value the import cut to its
    column is shown whole in that column's place instead; the notes are shown with the notes."""
    rows = []
    for variable, value in sorted((entry.other_variables or {}).items(), key=lambda item: item[0].lower()):
        if ":" in variable or variable not in CSL_VARIABLES or variable == "note":
            continue
        column = TEXT_VARIABLES.get(variable)
        if column and getattr(entry, column) and isinstance(value, str) and value.startswith(getattr(entry, column)):
            continue
        text = variable_text(value)
        if not text:
            continue
        label = humanised(variable)
        if variable in CHECKED_VARIABLES:
            label = _("%(name)s (as written)") % {"name": label}
        rows.append(Row(label, work_text(entry, text)))
    return rows


def record_rows(entry):
    """The entry page's "Bibliographic record": (label, escaped HTML) rows, only those with a value, in
    the order a cataloguer reads a record: what it is, where it appeared, who published it and when,
    its identifiers, where it is kept, then whatever else the record came with."""
    rows = []

    def add(label, value):
        if value:
            rows.append(Row(label, value))

    work_type = ItemType(entry.work_type).label
    add(_("Type"), format_html("{} ({})", work_type, work_text(entry, entry.genre)) if entry.genre else work_type)
    if entry.container_title:
        add(_("Published in"), published_in(entry))
    else:
        add(_("Volume"), entry.volume)
        add(_("Issue"), entry.issue)
        add(_("Pages"), entry.page)
    series = whole(entry, "collection-title", "collection_title")
    if series:
        number = _("no. %(number)s") % {"number": entry.collection_number} if entry.collection_number else ""
        add(_("Series"), format_html("{}{}", work_text(entry, series), f", {number}" if number else ""))
    add(_("Edition"), entry.edition)
    add(_("Publisher"), publisher_text(entry))
    add(_("Date issued"), issued_text(entry))
    if entry.original_date:
        add(_("Originally published"), partial_date_text(entry.original_date))
    add(_("Number of pages"), entry.number_of_pages)
    add(_("Number of volumes"), entry.number_of_volumes)
    event = [
        work_text(entry, value) for value in (whole(entry, "event-title", "event_title"), entry.event_place) if value
    ]
    add(_("Event"), format_html_join(", ", "{}", ((part,) for part in event)))
    if entry.doi:
        add(_("DOI"), format_html('<a href="https://doi.org/{}">{}</a>', entry.doi, entry.doi))
    add(_("ISBN"), entry.isbn)
    add(_("ISSN"), entry.issn)
    add(_("Report number"), entry.report_number)
    if entry.external_url:
        add(
            _("Link"),
            format_html(
                '<a href="{}" rel="noopener noreferrer" class="record__url">{}</a>',
                entry.external_url,
                entry.external_url,
            ),
        )
    if entry.accessed:
        add(
            _("Date accessed"),
            format_html('<time datetime="{}">{}</time>', entry.accessed.isoformat(), date_format(entry.accessed)),
        )
    archive = [work_text(entry, value) for value in (entry.archive, entry.archive_location) if value]
    add(_("Archive"), format_html_join(", ", "{}", ((part,) for part in archive)))
    add(_("Call number"), entry.call_number)
    add(_("Rights"), work_text(entry, entry.rights) if entry.rights else "")
    rows.extend(other_variable_rows(entry))
    return rows


def reference_essentials(entry):
    """The literature review's citation essentials after the creators: where it appeared (container,
    volume, issue, pages) and the publisher, as escaped HTML parts."""
    parts = [published_in(entry), publisher_text(entry)]
    return [part for part in parts if part]


@dataclass(frozen=True)
class ReadLink:
    label: str
    url: str
    download: bool


def read_link(entry, pdf_url):
    """The prominent link to the text: "Download PDF" for a public PDF file (`pdf_url`, the portal's
    download address), else "Read at the source" for the work's own link, else its DOI; None otherwise."""
    if pdf_url:
        return ReadLink(_("Download PDF"), pdf_url, True)
    if entry.external_url:
        return ReadLink(_("Read at the source"), entry.external_url, False)
    if entry.doi:
        return ReadLink(_("Read at the source"), f"https://doi.org/{entry.doi}", False)
    return None


def notes(entry, viewer):
    """(the notes' text, the reference manager's own fields as "Name: value" lines, whether only
    organizers see them) when `viewer` may read them, else None."""
    if not notes_visible(entry, viewer):
        return None
    lines = unmapped_lines(entry)
    if not entry.note and not lines:
        return None
    return {"text": entry.note, "fields": lines, "organizers_only": not entry.note_is_public}
