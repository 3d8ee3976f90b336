"""The briefing pack: a ZIP of a selection of entries a practitioner takes offline, with a file in
each export format that names a `pack_file` (depository.exports: the CSV of their metadata, their
citations in RIS) and their public files."""

import tempfile
import zipfile

from django.db.models import Prefetch, Sum
from django.utils.text import get_valid_filename

from depository import citations, exports
from depository.models import Attachment


def for_export(entries):
    """Prefetch what the CSV and the citations show (a fixed number of queries, whatever the count)."""
    return citations.with_citation_data(entries.prefetch_related("themes", "city_types", "violence_types", "cities"))


def public_files(entries):
    return Attachment.objects.filter(entry__in=entries, is_public=True)


def pack_size(entries):
    """The bytes of the public files a briefing pack of these entries would hold (one query)."""
    return public_files(entries).aggregate(total=Sum("size"))["total"] or 0


def build_briefing_pack(entries, url_for, viewer):
    """Write the ZIP to a temporary file and return it, positioned at the start.

    Each export format's `pack_file` (citations.ris, entries.csv), and files/<entry slug>/<attachment
    id>-<name> for each public file.
    """
    entries = list(
        for_export(entries).prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.filter(is_public=True).order_by("pk"))
        )
    )
    # Closed by the caller (FileResponse closes it once sent); deleted by the system when closed.
    archive_file = tempfile.TemporaryFile()  # noqa: SIM115
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for export in exports.in_pack():
            archive.writestr(export.pack_file, export.write(entries, viewer, url_for))
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
