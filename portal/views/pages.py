from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from depository.models import Entry
from meetings.models import Meeting


@require_safe
def home(request):
    return render(
        request,
        "home.html",
        {
            "latest_entries": Entry.objects.published().for_listing().newest(6),
            "latest_meetings": Meeting.objects.most_recent(4, today=timezone.localdate()),
        },
    )


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for on every page (the admin's included): a 301 to the SVG icon.

    The icon's content-hashed name is looked up here, per request, and never when the URLconf is
    imported: before `collectstatic` has written the manifest (a fresh clone's `manage.py migrate`
    or `check`), a lookup at import time raises ValueError and stops every management command.
    """
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@require_safe
def robots_txt(request):
    """robots.txt: the sitemap, and the admin, members' pages and exports kept out of crawlers' way."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('members:dashboard')}",
        # Exports: citation files, packs and calendars are copies of pages already listed.
        f"Disallow: {reverse('depository:pack')}",
        f"Disallow: {reverse('depository:literature')}literature.",
        f"Disallow: {reverse('depository:browse')}*/cite.",
        "Disallow: /*.ics$",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def about(request):
    return render(request, "about.html")


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers a query, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
