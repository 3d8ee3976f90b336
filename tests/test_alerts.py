"""Alerts (issue 16): a member saves a search, a visitor subscribes with double opt-in, the digest
task sends one e-mail per address and period through the real django-tasks-db worker
(`db_worker --batch`, in this process) into Django's mail outbox, never twice, and the unsubscribe
link works without logging in."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from alerts.models import Digest, Frequency, SavedSearch
from alerts.services import last_period
from depository.filters import MAX_QUERY_LENGTH
from tests.depository_helpers import make_entry

pytestmark = pytest.mark.django_db

NOW = timezone.now()
WEEK_START, WEEK_END = last_period(Frequency.WEEKLY, timezone.localdate(NOW))
MONTH_START, MONTH_END = last_period(Frequency.MONTHLY, timezone.localdate(NOW))


def at(day, hour=12):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def run_task_worker():
    """`manage.py send_alert_digests` queues the task; `db_worker --batch` runs what is queued, then returns."""
    call_command("send_alert_digests", verbosity=0)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def saved(email, query_string, frequency=Frequency.WEEKLY, language="en", user=None):
    search = SavedSearch.objects.create(
        email=email, query_string=query_string, frequency=frequency, language=language, user=user
    )
    # Subscribed before the period the digest covers.
    SavedSearch.objects.filter(pk=search.pk).update(created_at=at(MONTH_START) - datetime.timedelta(days=40))
    return search


def links(text):
    return re.findall(r"http://\S+", text)


# --- subscribing ---------------------------------------------------------------------------------


def test_a_member_saves_the_current_search_with_its_facets(member_client, member, django_assert_num_queries):
    make_entry("Street lighting audit", themes=["public-space"])
    browse = member_client.get(reverse("depository:browse"), {"q": "lighting", "theme": "public-space"})
    assert reverse("alerts:subscribe") + "?q=lighting&amp;theme=public-space" in browse.content.decode()

    url = reverse("alerts:subscribe") + "?q=lighting&theme=public-space&page=2&sort=title"
    page = member_client.get(url)
    assert page.status_code == 200
    assert "lighting" in page.content.decode()
    with django_assert_num_queries(3):  # session, user, one INSERT ... ON CONFLICT DO UPDATE
        response = member_client.post(url, {"frequency": "monthly"})
    assert response.status_code == 302
    (alert,) = SavedSearch.objects.all()
    assert (alert.email, alert.query_string, alert.frequency, alert.user) == (
        "amina@example.org",
        "q=lighting&theme=public-space",
        "monthly",
        member.user,
    )
    mine = member_client.get(response.url).content.decode()
    assert "Alert saved." in mine
    assert "Monthly" in mine

    member_client.post(url, {"frequency": "weekly"})  # the same search again: its frequency changes
    assert list(SavedSearch.objects.values_list("frequency", flat=True)) == ["weekly"]


@pytest.mark.parametrize("htmx", [False, True])
def test_a_search_with_no_results_offers_the_alert_and_the_feed(client, htmx):
    """Nothing matches yet: that is when a reader wants to hear of the first match (issue 22)."""
    make_entry("Street lighting audit")
    headers = {"HX-Request": "true"} if htmx else {}
    page = client.get(reverse("depository:browse"), {"q": "volcano"}, headers=headers).content.decode()
    assert "No entries match “volcano”." in page
    assert f'<a href="{reverse("alerts:subscribe")}?q=volcano" hx-boost="false">E-mail me new entries' in page
    assert f'<a href="{reverse("depository:feed")}?q=volcano">Atom feed of this selection</a>' in page
    assert "briefing pack" not in page  # a pack of nothing
    assert client.get(reverse("alerts:subscribe"), {"q": "volcano"}).status_code == 200


def test_a_search_the_depository_would_refuse_is_refused_here_too(client):
    response = client.get(reverse("alerts:subscribe"), {"q": "x" * (MAX_QUERY_LENGTH + 1)})
    assert response.status_code == 400
    assert "This search could not be understood" in response.content.decode()
    response = client.post(reverse("alerts:subscribe") + "?q=" + "x" * (MAX_QUERY_LENGTH + 1), {"email": "a@b.org"})
    assert response.status_code == 400
    assert not SavedSearch.objects.exists()
    assert not mail.outbox


def test_a_visitor_confirms_by_e_mail_before_anything_is_stored(client, django_assert_num_queries):
    url = reverse("alerts:subscribe") + "?q=safety+audit"
    bad = client.post(url, {"frequency": "weekly", "email": "not an address"})
    assert bad.status_code == 400
    assert "Enter a valid email address." in bad.content.decode()

    # Nothing about the alert is read or written before the confirmation; the two queries are the rate
    # limits' counters (per recipient and per client address, keyed by HMACs: core/ratelimits.py).
    with django_assert_num_queries(2):
        response = client.post(url, {"frequency": "weekly", "email": "visitor@example.org"})
    assert "Check your inbox" in response.content.decode()
    assert not SavedSearch.objects.exists()
    (message,) = mail.outbox
    assert message.to == ["visitor@example.org"]
    (search_link, confirm_link) = links(message.body)
    assert search_link.endswith("/depository/?q=safety+audit")

    path = confirm_link.removeprefix("http://127.0.0.1:8000")
    assert "Confirm your alert" in client.get(path).content.decode()
    assert not SavedSearch.objects.exists()  # a mail scanner following the link confirms nothing
    confirmed = client.post(path)
    assert "Alert confirmed" in confirmed.content.decode()
    alert = SavedSearch.objects.get()
    assert (alert.email, alert.query_string, alert.frequency, alert.user) == (
        "visitor@example.org",
        "q=safety+audit",
        "weekly",
        None,
    )

    tampered = client.post(path.replace("/confirm/", "/confirm/x"))
    assert tampered.status_code == 400
    assert "incomplete or was altered" in tampered.content.decode()


def test_an_expired_confirmation_link_says_so(client, settings):
    client.post(reverse("alerts:subscribe"), {"frequency": "weekly", "email": "late@example.org"})
    path = links(mail.outbox[0].body)[-1].removeprefix("http://127.0.0.1:8000")
    settings.ALERTS_CONFIRMATION_MAX_AGE = -1
    response = client.post(path)
    assert response.status_code == 400
    assert "The confirmation link has expired." in response.content.decode()
    assert not SavedSearch.objects.exists()


# --- digests -------------------------------------------------------------------------------------


# The worker commits and reconnects as in production, so these tests commit too (transactional_db).
worker_test = pytest.mark.django_db(transaction=True)


@pytest.fixture
def period_entries(transactional_db):
    """Published last week, matching 'lighting'; not matching; a draft; one published this week."""
    return {
        "match": make_entry("Street lighting audit", published_at=at(WEEK_START), year=2024),
        "other": make_entry("Water points survey", published_at=at(WEEK_START)),
        "draft": make_entry("Lighting draft", status="draft"),
        "later": make_entry("Lighting plan for next week", published_at=at(WEEK_END, 1)),
        "earlier": make_entry("Lighting before the period", published_at=at(WEEK_START) - datetime.timedelta(days=1)),
    }


@worker_test
def test_the_weekly_digest_lists_the_period_s_new_public_matches_once(client, period_entries):
    alert = saved("amina@example.org", "q=lighting")
    saved("amina@example.org", "q=water")
    saved("nobody@example.org", "q=volcano")  # nothing new: no e-mail

    run_task_worker()

    (message,) = mail.outbox
    assert message.to == ["amina@example.org"]
    assert message.subject.startswith("New in the TWG Portal")
    assert "Street lighting audit (2024)" in message.body
    assert "Water points survey" in message.body
    for title in ("Lighting draft", "Lighting plan for next week", "Lighting before the period"):
        assert title not in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert ">Street lighting audit</a>" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Digest.objects.filter(sent_at__isnull=False).count() == 2
    assert Digest.objects.get(saved_search=alert).entry_count == 1

    run_task_worker()  # again, as cron would tomorrow: nothing more
    assert len(mail.outbox) == 1


@worker_test
def test_after_a_crash_between_recording_and_sending_nothing_is_sent_twice(client, period_entries):
    alert = saved("amina@example.org", "q=lighting")
    # What a worker killed after committing the claim and before the SMTP send leaves behind.
    Digest.objects.create(saved_search=alert, period_start=WEEK_START, period_end=WEEK_END, entry_count=1)

    run_task_worker()

    assert not mail.outbox
    assert Digest.objects.get().sent_at is None  # shown in the admin as prepared, not sent


@worker_test
def test_the_digest_is_in_the_subscriber_s_language_and_monthly_ones_cover_the_month(client):
    make_entry("Iluminación de calles", published_at=at(MONTH_START), language="es")
    saved("lucia@example.org", "", frequency=Frequency.MONTHLY, language="es")

    run_task_worker()

    (message,) = mail.outbox
    assert message.subject.startswith("Novedades en el Portal del TWG")
    assert "Iluminación de calles" in message.body
    assert "Dejar de recibir esta alerta" in message.body
    assert 'lang="es"' in message.alternatives[0][0]


@worker_test
def test_the_unsubscribe_link_works_without_logging_in(client, period_entries):
    saved("amina@example.org", "q=lighting")
    saved("amina@example.org", "q=water")
    run_task_worker()
    body = mail.outbox[0].body
    stop_one = body.split("Stop this alert: ")[1].split()[0].removeprefix("http://127.0.0.1:8000")

    assert client.get(stop_one).status_code == 200
    assert SavedSearch.objects.count() == 2  # GET only asks
    response = client.post(stop_one)
    assert "You will receive no more e-mails for this alert." in response.content.decode()
    assert list(SavedSearch.objects.values_list("query_string", flat=True)) == ["q=water"]
    assert "already been stopped" in client.post(stop_one).content.decode()

    stop_all = body.split("Stop all alerts to this address: ")[1].split()[0].removeprefix("http://127.0.0.1:8000")
    client.post(stop_all)  # one-click, as a mail client does it (RFC 8058): no CSRF token, no session
    assert not SavedSearch.objects.exists()
    assert client.post(stop_all[:-3] + "abc/").status_code == 400
