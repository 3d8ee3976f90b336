"""The public pages every browser check visits, as (name -> function returning a path)."""

from django.db.models import Count

from depository.models import Entry, Theme
from meetings.models import Meeting

INCEPTION_MEETING = "inception-meeting-2014"


def filtered_browse():
    """The browse page with a search and the commonest theme ticked (facets, highlights)."""
    theme = (
        Theme.objects.filter(entries__status="published")
        .annotate(uses=Count("entries"))
        .order_by("-uses", "slug")
        .first()
    )
    return f"/depository/?q=violence&theme={theme.slug}"


PUBLIC_PAGES = {
    "home": lambda: "/",
    "about": lambda: "/about/",
    "browse": lambda: "/depository/",
    "browse-filtered": filtered_browse,
    "entry": lambda: Entry.objects.published().newest(1)[0].get_absolute_url(),
    "literature": lambda: "/depository/literature/",
    "typology": lambda: "/depository/typology/",
    "glossary": lambda: "/depository/glossary/",
    "meetings": lambda: "/meetings/",
    "meeting": lambda: Meeting.objects.get(slug=INCEPTION_MEETING).get_absolute_url(),
    "workplan": lambda: "/meetings/workplan/",
    "organizations": lambda: "/meetings/organizations/",
    "organization": lambda: "/meetings/organizations/unog/",
    "cities": lambda: "/cities/",
    "city": lambda: "/cities/bogota/",
    "map": lambda: "/cities/map/",
    "event": lambda: "/meetings/events/executive-course-for-city-leaders/",
    "member-login": lambda: "/members/login/",
    "password-reset": lambda: "/members/password/reset/",
    "questions": lambda: "/members/questions/",
    "alert-subscribe": lambda: "/alerts/?q=violence",
    "not-found": lambda: "/no-such-page/",
}

# Pages a logged-in member sees (tests/browser/test_member_pages.py).
MEMBER_PAGES = {
    "dashboard": "/members/",
    "new-paper": "/members/papers/new/",
    "questions": "/members/questions/",
    "password-change": "/members/password/change/",
}
