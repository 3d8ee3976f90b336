"""Meetings as iCalendar (RFC 5545), written by hand: all-day events that calendar applications import.

A meeting is an all-day event: DTSTART is its first day and DTEND the day after its last (DTEND is
exclusive for dates). The UID is built from the meeting's primary key and the site's host, so it stays
the same when the meeting is renamed and a re-import updates the event instead of duplicating it.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings

from meetings.models import MeetingStatus

PRODID = "-//TWG on the Confluence of Urban Safety and Peacebuilding//TWG Portal//EN"
EVENT_STATUS = {
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.PLANNED: "TENTATIVE",
    MeetingStatus.PROPOSED: "TENTATIVE",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def escape_text(value):
    """Escape a TEXT value: backslash, semicolon, comma, and newlines as the literal '\\n'."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line):
    """Fold a content line into chunks of at most 75 octets, never splitting a UTF-8 character."""
    chunks = []
    current = ""
    limit = 75
    for character in line:
        if len((current + character).encode("utf-8")) > limit:
            chunks.append(current)
            current = character
            limit = 74  # continuation lines begin with a space
        else:
            current += character
    chunks.append(current)
    return "\r\n ".join(chunks)


def meeting_uid(meeting):
    host = urlsplit(settings.SITE_URL).hostname or "twg-portal"
    return f"{meeting._meta.model_name}-{meeting.pk}@{host}"


def meeting_location(meeting):
    parts = [meeting.venue]
    if meeting.city_id:
        parts += [meeting.city.name, meeting.city.country]
    return ", ".join(part for part in parts if part)


def event_lines(meeting, *, url, stamp):
    first_day = meeting.start_date
    last_day = meeting.end_date or meeting.start_date
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting_uid(meeting)}",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{first_day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{last_day + datetime.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(meeting.name)}",
        f"STATUS:{EVENT_STATUS.get(meeting.status, 'TENTATIVE')}",
        f"URL:{url}",
    ]
    location = meeting_location(meeting)
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    # A meeting's larger event and objectives; an event's description.
    parts = [getattr(meeting, "part_of", ""), getattr(meeting, "objectives", ""), getattr(meeting, "description", "")]
    description = "\n\n".join(part for part in [*parts, url] if part)
    lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines.append("END:VEVENT")
    return lines


def calendar(meetings, *, url_for, name, stamp=None):
    """The iCalendar text for dated meetings; `url_for(meeting)` gives the absolute link back."""
    stamp = stamp or datetime.datetime.now(datetime.UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for meeting in meetings:
        lines += event_lines(meeting, url=url_for(meeting), stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
