"""Use statistics without personal data (usage/, docs/privacy.md): views and downloads counted once
per visitor-day (a client address on a UTC day) in a table of their own, robots, organizers and
unpublished entries skipped, added to the monthly table by the `flush_statistics` command or the task
worker, and reported in the admin as tables, SVG and CSV."""

import csv
import datetime
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from depository.models import Entry
from tests.depository_helpers import attach, make_entry
from tests.members_helpers import read_file_response
from usage.models import MonthlyUsage

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
REPORT = "/admin/usage/monthlyusage/"


@pytest.fixture
def entry(media_roots):
    entry = make_entry("Women's safety audit", themes=["policing"], kind="tool")
    entry.file = attach(entry, name="audit.pdf")
    return entry


def view(client, entry, *, agent=FIREFOX, ip="203.0.113.7"):
    response = client.get(entry.get_absolute_url(), HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    assert response.status_code == 200
    return response


def download(client, entry, *, agent=FIREFOX, ip="203.0.113.7"):
    url = reverse("depository:attachment", kwargs={"slug": entry.slug, "pk": entry.file.pk})
    response = client.get(url, HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    assert response.status_code == 200
    read_file_response(response)
    return response


def flush():
    out = io.StringIO()
    call_command("flush_statistics", stdout=out)
    return out.getvalue()


def counts():
    return {
        (row.entry.slug, row.month, row.views, row.downloads) for row in MonthlyUsage.objects.select_related("entry")
    }


def this_month():
    return timezone.now().date().replace(day=1)


def test_a_page_view_is_counted_and_written_by_the_flush(client, entry):
    with CaptureQueriesContext(connection) as queries:
        view(client, entry)
    assert not [q for q in queries.captured_queries if MonthlyUsage._meta.db_table in q["sql"]]
    assert not MonthlyUsage.objects.exists()  # nothing written on the request's path
    assert "1 counted hit(s)" in flush()
    assert counts() == {(entry.slug, this_month(), 1, 0)}
    assert "0 counted hit(s)" in flush()  # a second flush adds nothing
    assert counts() == {(entry.slug, this_month(), 1, 0)}


def test_robots_are_not_counted(client, entry):
    view(client, entry, agent=GOOGLEBOT)
    view(client, entry, agent="")
    view(client, entry, agent="python-requests/2.32.3")
    download(client, entry, agent=GOOGLEBOT)
    flush()
    assert counts() == set()


def test_the_same_visitor_twice_in_a_day_counts_once(client, entry):
    view(client, entry)
    view(client, entry)
    view(client, entry, ip="198.51.100.9")  # another address: another visitor
    download(client, entry)
    download(client, entry)
    flush()
    assert counts() == {(entry.slug, this_month(), 2, 1)}


def test_a_new_user_agent_from_the_same_address_is_not_a_new_visitor(client, entry):
    """Issue 22, finding 8: 400 User-Agents from one address counted 400 visitors."""
    for number in range(40):
        view(client, entry, agent=f"{FIREFOX} build/{number}")
    view(client, entry, agent=SAFARI)
    download(client, entry, agent=SAFARI)
    download(client, entry, agent=FIREFOX)
    flush()
    assert counts() == {(entry.slug, this_month(), 1, 1)}


def test_organizers_own_views_and_downloads_are_not_counted(client, entry, organizer, superuser):
    """Issue 22, finding 8: curators previewing and checking entries are not readers."""
    for user in (organizer, superuser):
        client.force_login(user)
        view(client, entry, ip="198.51.100.20")
        download(client, entry, ip="198.51.100.20")
    client.logout()
    view(client, entry, ip="198.51.100.21")
    flush()
    assert counts() == {(entry.slug, this_month(), 1, 0)}


def test_views_of_a_draft_are_not_counted_even_once_published(client, organizer, media_roots):
    """Issue 22, finding 8: a draft's previews waited for the flush and counted if it was published by then."""
    draft = make_entry("Night-time economy", themes=["policing"], status="draft")
    client.force_login(organizer)
    view(client, draft, ip="198.51.100.30")
    client.logout()
    draft.status = "published"
    draft.published_at = timezone.now()
    draft.save()
    flush()
    assert counts() == set()
    view(client, draft, ip="198.51.100.31")
    flush()
    assert counts() == {(draft.slug, this_month(), 1, 0)}


def test_the_next_day_the_same_visitor_counts_again(client, entry, monkeypatch):
    view(client, entry)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr("usage.counting.timezone.now", lambda: tomorrow)
    view(client, entry)
    flush()
    month = tomorrow.date().replace(day=1)
    assert sum(row.views for row in MonthlyUsage.objects.all()) == 2
    assert MonthlyUsage.objects.filter(month=month).exists()


def test_batches_add_to_the_existing_monthly_row(client, entry):
    view(client, entry)
    flush()
    view(client, entry, ip="198.51.100.9")
    download(client, entry, ip="198.51.100.9")
    flush()
    assert counts() == {(entry.slug, this_month(), 2, 1)}


def test_nothing_about_the_visitor_is_stored(client, entry):
    from usage.models import CountedVisit

    view(client, entry, ip="192.0.2.55")
    flush()
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key || ' ' || value FROM twg_cache")
        cached = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT usage_countedvisit::text FROM usage_countedvisit")
        visits = " ".join(row[0] for row in cursor.fetchall())
    assert visits  # today's visitor-day, kept so that a second visit today counts nothing
    for stored in (cached, visits):
        assert "192.0.2.55" not in stored and "Firefox" not in stored
    assert [field.name for field in CountedVisit._meta.get_fields()] == ["digest", "day", "entry", "kind", "flushed"]
    assert [field.name for field in MonthlyUsage._meta.get_fields()] == ["id", "entry", "month", "views", "downloads"]


def test_the_flush_removes_past_salts_and_visitor_days(client, entry, monkeypatch):
    from usage.models import CountedVisit, DailySalt

    view(client, entry)
    month = this_month()
    assert DailySalt.objects.count() == CountedVisit.objects.count() == 1
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr("usage.counting.timezone.now", lambda: tomorrow)
    flush()
    assert not DailySalt.objects.exists() and not CountedVisit.objects.exists()
    assert counts() == {(entry.slug, month, 1, 0)}


def test_a_quiet_site_records_its_views(client, entry, monkeypatch):
    """Issue 22, finding 1: the visits of a quiet site waited in the cache under a sequence number
    that expired after 300 s, the flush's own delay, so the flush found nothing to add."""
    view(client, entry)
    download(client, entry, ip="198.51.100.40")
    later = timezone.now() + datetime.timedelta(seconds=settings.USAGE_FLUSH_INTERVAL_SECONDS + 1)
    # Nothing else happens for longer than the flush's delay: every clock the portal reads moves on.
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    monkeypatch.setattr("django.core.cache.backends.db.tz_now", lambda: later)
    assert "2 counted hit(s)" in flush()
    assert counts() == {(entry.slug, this_month(), 1, 1)}


def test_hits_of_entries_no_longer_published_are_dropped(client, entry):
    view(client, entry)
    Entry.objects.filter(pk=entry.pk).update(status="archived")
    flush()
    assert counts() == set()


def run_db_worker():
    """`manage.py db_worker` as `make run` starts it, bounded by --batch: runs what is queued, then exits."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.servers
def test_the_task_worker_flushes_what_was_counted(client, transactional_db, media_roots, settings):
    settings.USAGE_FLUSH_INTERVAL_SECONDS = 0  # the task the first hit queues is due at once
    entry = make_entry("Women's safety audit", themes=["policing"])
    view(client, entry)
    view(client, entry, ip="198.51.100.9")
    assert not MonthlyUsage.objects.exists()
    worker = run_db_worker()
    assert worker.returncode == 0, worker.stderr
    assert counts() == {(entry.slug, this_month(), 2, 0)}


@pytest.fixture
def counted(entry):
    client = Client()  # a reader's (organizer_client logs the shared `client` in, and organizers do not count)
    other = make_entry("Mediation in Bogotá", themes=["mediation"], kind="case_study")
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        view(client, entry, ip=ip)
    view(client, other, ip="203.0.113.1")
    download(client, entry, ip="203.0.113.1")
    flush()
    last_year = this_month().replace(year=this_month().year - 1)
    MonthlyUsage.objects.create(entry=other, month=last_year.replace(month=1), views=40, downloads=2)
    return entry, other


def test_the_admin_report_shows_tables_and_svg_charts(organizer_client, counted, django_assert_num_queries):
    entry, other = counted
    organizer_client.get(REPORT)
    # session, user, the user's own and group permissions (2), most viewed, most downloaded, per
    # theme, per kind, per month
    with django_assert_num_queries(9):
        response = organizer_client.get(REPORT, {"months": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    most_viewed = html.split('id="table-most-viewed"', 1)[1].split("</table>", 1)[0]
    assert most_viewed.index("Women&#x27;s safety audit") < most_viewed.index("Mediation in Bogotá")
    assert "<td>3</td><td>1</td>" in most_viewed
    theme = html.split('id="table-theme"', 1)[1].split("</table>", 1)[0]
    assert "Policing" in theme and "Mediation" in theme
    kind = html.split('id="table-kind"', 1)[1].split("</table>", 1)[0]
    assert "Tool" in kind and "Case study" in kind
    assert html.count('<svg role="img"') == 4
    assert "<script" not in html.split('id="content-main"', 1)[1]
    # Last January's 40 views are outside one month, inside twenty-four.
    assert "<td>40</td>" not in html
    assert "<td>40</td>" in organizer_client.get(REPORT, {"months": "24"}).content.decode()


def test_the_report_downloads_as_csv(organizer_client, counted):
    entry, other = counted
    response = organizer_client.get(REPORT, {"months": "24", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["month", "entry", "title", "kind", "page_views", "file_downloads"]
    month = f"{this_month():%Y-%m}"
    assert [month, entry.slug, entry.title, "tool", "3", "1"] in rows
    assert len(rows) == 4


def test_a_bad_period_is_a_400_with_a_message(organizer_client):
    response = organizer_client.get(REPORT, {"months": "0"})
    assert response.status_code == 400
    assert "greater than or equal to 1" in response.content.decode()


def test_the_report_is_for_organizers_only(client, member_client):
    assert member_client.get(REPORT).status_code == 302  # to the admin's login
    assert client.get(REPORT, {"format": "csv"}).status_code == 302
