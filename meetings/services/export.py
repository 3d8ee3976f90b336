"""A meeting's participant list as CSV, for organizers (the admin), safe to open in a spreadsheet."""

import io

from core import spreadsheets
from meetings.models import Meeting, Participation

HEADER = ["name", "title", "organization", "city", "role", "disclosure"]


def participants_csv(meeting: Meeting) -> str:
    """The list in the import's column order, so an exported list can be corrected and imported again."""
    participations = (
        Participation.objects.filter(meeting=meeting)
        .select_related("person", "organization__city")
        .order_by("position", "id")
    )
    buffer = io.StringIO()
    writer = spreadsheets.writer(buffer)  # cells neutralised against formulas
    writer.writerow(HEADER)
    for participation in participations:
        organization = participation.organization
        writer.writerow(
            [
                participation.person.name,
                participation.title,
                organization.name if organization else "",
                organization.city.name if organization and organization.city_id else "",
                str(participation.get_role_display()),
                participation.person.disclosure,
            ]
        )
    return buffer.getvalue()
