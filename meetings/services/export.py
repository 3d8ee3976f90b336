"""A meeting's participant list as CSV, for organizers (the admin), safe to open in a spreadsheet."""

import csv
import io

from meetings.models import Meeting, Participation

HEADER = ["name", "title", "organization", "city", "role", "disclosure"]
# A spreadsheet runs a cell that starts with one of these as a formula ('=cmd|...'): prefix a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def participants_csv(meeting: Meeting) -> str:
    """The list in the import's column order, so an exported list can be corrected and imported again."""
    participations = (
        Participation.objects.filter(meeting=meeting)
        .select_related("person", "organization__city")
        .order_by("position", "id")
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for participation in participations:
        organization = participation.organization
        writer.writerow(
            safe_cell(value)
            for value in [
                participation.person.name,
                participation.title,
                organization.name if organization else "",
                organization.city.name if organization and organization.city_id else "",
                participation.get_role_display(),
                participation.person.disclosure,
            ]
        )
    return buffer.getvalue()
