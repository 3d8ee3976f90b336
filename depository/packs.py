"""Exports of a selection of entries: a CSV of their metadata, and the briefing pack (a ZIP of that
CSV, their citations in RIS and their public files) a practitioner takes offline."""

import io
import tempfile
import zipfile

from django.db.models import Prefetch, Sum
from django.utils.text import get_valid_filename

from core import spreadsheets
from depository import citations
from depository.creators import shown_creators
from depository.models import Attachment

CSV_COLUMNS = [
    ("slug", lambda e: e.slug),
    ("title", lambda e: e.title),
    ("kind", lambda e: e.get_kind_display()),
    ("authors", None),  # the creators the viewer may see, 'Family, Given; Organization'
    ("publisher", lambda e: e.publisher),
    ("year", lambda e: e.year or ""),
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


def for_export(entries):
    """Prefetch what the CSV and the citations show (a fixed number of queries, whatever the count)."""
    return citations.with_citation_data(entries.prefetch_related("themes", "city_types", "violence_types", "cities"))


def authors_cell(entry, viewer):
    return "; ".join(creator.inverted_name for creator in shown_creators(entry, viewer))


def write_csv(entries, handle, url_for, viewer):
    """The entries' metadata as CSV rows; the authors column holds only the creators `viewer` may see."""
    writer = spreadsheets.writer(handle)  # every cell neutralised against formulas
    writer.writerow([name for name, _ in CSV_COLUMNS] + ["page"])
    for entry in entries:
        cells = [authors_cell(entry, viewer) if value is None else value(entry) for _, value in CSV_COLUMNS]
        writer.writerow([str(cell) for cell in cells] + [url_for(entry)])


def public_files(entries):
    return Attachment.objects.filter(entry__in=entries, is_public=True)


def pack_size(entries):
    """The bytes of the public files a briefing pack of these entries would hold (one query)."""
    return public_files(entries).aggregate(total=Sum("size"))["total"] or 0


def build_briefing_pack(entries, url_for, viewer):
    """Write the ZIP to a temporary file and return it, positioned at the start.

    entries.csv, citations.ris, and files/<entry slug>/<attachment id>-<name> for each public file.
    """
    entries = list(
        for_export(entries).prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.filter(is_public=True).order_by("pk"))
        )
    )
    # Closed by the caller (FileResponse closes it once sent); deleted by the system when closed.
    archive_file = tempfile.TemporaryFile()  # noqa: SIM115
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = io.StringIO()
        write_csv(entries, text, url_for, viewer)
        archive.writestr("entries.csv", "\ufeff" + text.getvalue())  # BOM: spreadsheets read UTF-8
        archive.writestr("citations.ris", citations.to_ris(entries, viewer, url_for))
        for entry in entries:
            for attachment in entry.attachments.all():
                name = get_valid_filename(attachment.original_name or attachment.file.name.rsplit("/", 1)[-1])
                try:
                    with (
                        attachment.file.open("rb") as source,
                        archive.open(f"files/{entry.slug}/{attachment.pk}-{name}", "w") as target,
                    ):
                        while chunk := source.read(1024 * 1024):
                            target.write(chunk)
                except FileNotFoundError:
                    archive.writestr(f"files/{entry.slug}/{attachment.pk}-{name}.missing.txt", "File missing.\n")
    archive_file.seek(0)
    return archive_file
