from meetings.views.calendars import calendar_ics, meeting_ics
from meetings.views.network import organization_detail, organization_list
from meetings.views.pages import meeting_detail, meeting_list, workplan

__all__ = [
    "calendar_ics",
    "meeting_detail",
    "meeting_ics",
    "meeting_list",
    "organization_detail",
    "organization_list",
    "workplan",
]
