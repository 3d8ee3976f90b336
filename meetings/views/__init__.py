from meetings.views.calendars import calendar_ics, meeting_ics
from meetings.views.events import event_detail, event_ics, event_interest
from meetings.views.network import organization_detail, organization_list
from meetings.views.pages import meeting_detail, meeting_list
from meetings.views.registrations import event_register, meeting_register, registration_withdraw
from meetings.views.workplan import workplan

__all__ = [
    "calendar_ics",
    "event_detail",
    "event_ics",
    "event_interest",
    "meeting_detail",
    "meeting_ics",
    "meeting_list",
    "organization_detail",
    "organization_list",
    "event_register",
    "meeting_register",
    "registration_withdraw",
    "workplan",
]
