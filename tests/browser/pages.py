"""The public pages every browser check visits, as (name -> function returning a path)."""

from depository.models import Entry
from meetings.models import Meeting

INCEPTION_MEETING = "inception-meeting-2014"

PUBLIC_PAGES = {
    "home": lambda: "/",
    "about": lambda: "/about/",
    "browse": lambda: "/depository/",
    "entry": lambda: Entry.objects.published().latest(1)[0].get_absolute_url(),
    "meetings": lambda: "/meetings/",
    "meeting": lambda: Meeting.objects.get(slug=INCEPTION_MEETING).get_absolute_url(),
    "not-found": lambda: "/no-such-page/",
}
