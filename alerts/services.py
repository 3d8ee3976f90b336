"""Alerts: saving a search, confirming a visitor's address, unsubscribing, and sending the digests.

Tokens are Django signatures (django.core.signing) with a salt per purpose: a confirmation link
carries the whole request (address, search, frequency, language) and expires after
ALERTS_CONFIRMATION_MAX_AGE seconds; an unsubscribe link carries a saved search's id (or an
address, for all of its alerts) and does not expire, so that the link in an old e-mail still works.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alerts.models import Digest, Frequency, SavedSearch
from core.mail import PortalEmail
from depository import search
from depository.filters import EntryFilterSet, Sort
from depository.models import Entry

CONFIRM_SALT = "alerts.confirm"
UNSUBSCRIBE_SALT = "alerts.unsubscribe"
# Entries listed per saved search in one e-mail; the rest are one link to the search away.
DIGEST_LIST_LIMIT = 20


class InvalidSearch(ValueError):
    """The query string is not one the browse page accepts; `errors` is the FilterSet's."""

    def __init__(self, errors):
        super().__init__(str(errors))
        self.errors = errors


def canonical_search(params: QueryDict) -> str:
    """The browse page's parameters (a QueryDict) as the query string an alert stores: validated
    by the depository's FilterSet, without the page number and the sort. Raises InvalidSearch."""
    filterset = EntryFilterSet(params, queryset=Entry.objects.none())
    if not filterset.is_valid():
        raise InvalidSearch(filterset.errors)
    query_string = filterset.query_string(sort=None)
    check_storable(query_string)
    return query_string


def check_storable(query_string):
    """InvalidSearch when the query string is longer than SavedSearch.query_string holds (2,000
    characters: 200 CJK characters alone take 1,800 once percent-encoded, and all 16 themes another
    400). The column stays bounded: it is half of the unique index (email, query_string), whose rows
    PostgreSQL caps at about 2,700 bytes. Checked before anything is stored or mailed (issue 22)."""
    limit = SavedSearch._meta.get_field("query_string").max_length
    if len(query_string) > limit:
        raise InvalidSearch(
            {
                "q": [
                    _(
                        "This search is too long to be saved as an alert (%(length)s characters in its link; "
                        "at most %(limit)s). Use fewer words or fewer filters."
                    )
                    % {"length": len(query_string), "limit": limit}
                ]
            }
        )


def _search(query_string):
    """The one place alerts read the depository: its search, as an anonymous visitor sees it (so
    unpublished entries never reach an e-mail), newest first. Returns depository.search.Results."""
    return search.search(QueryDict(query_string), AnonymousUser(), order=Sort.NEWEST, highlight=False, page_size=1)


def _matching_entries(query_string, since, until):
    """The public entries published in [since, until) (aware datetimes) that the saved search
    matches, newest first (a QuerySet; empty if the search is no longer valid)."""
    results = _search(query_string)
    if results.errors:
        return Entry.objects.none()
    return results.entries.filter(published_at__gte=since, published_at__lt=until)


def describe_search(query_string: str) -> list[dict]:
    """The saved search as the browse page's chips ([{"facet", "label"}]), for pages and e-mails."""
    results = _search(query_string)
    return [] if results.errors else [{"facet": chip["facet"], "label": chip["label"]} for chip in results.chips]


# --- subscribing --------------------------------------------------------------------------------


def save_search(*, user: User, query_string: str, frequency: str, language: str) -> SavedSearch:
    """A member's alert: stored at once (the account's address is already confirmed). Saving the
    same search again changes its frequency. Returns the SavedSearch."""
    return _upsert(
        SavedSearch(user=user, email=user.email, query_string=query_string, frequency=frequency, language=language)
    )


def request_confirmation(*, email: str, query_string: str, frequency: str, language: str) -> int:
    """A visitor's alert: nothing is stored; a signed, expiring link to confirm it is e-mailed to
    `email`. Returns the number of e-mails sent (1)."""
    token = signing.dumps(
        {"email": email, "q": query_string, "f": frequency, "l": language}, salt=CONFIRM_SALT, compress=True
    )
    link = settings.SITE_URL + reverse("alerts:confirm", kwargs={"token": token})
    context = {
        "link": link,
        "search_link": browse_link(query_string),
        "frequency": Frequency(frequency).label,
        "days": settings.ALERTS_CONFIRMATION_MAX_AGE // 86400,
    }
    with translation.override(language):
        subject = render_to_string("alerts/emails/confirm_subject.txt", context).strip()
        body = render_to_string("alerts/emails/confirm.txt", context)
    return PortalEmail(subject, body, None, [email]).send()


def read_confirmation(token: str) -> dict[str, str]:
    """The request a confirmation link carries, as save_search's keywords (without `user`).
    Raises signing.SignatureExpired (too old) or signing.BadSignature (altered or not ours)."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.ALERTS_CONFIRMATION_MAX_AGE)
    return {"email": data["email"], "query_string": data["q"], "frequency": data["f"], "language": data["l"]}


def confirm_subscription(*, email: str, query_string: str, frequency: str, language: str) -> SavedSearch:
    """Store a visitor's confirmed alert (again: the frequency and language are updated)."""
    return _upsert(SavedSearch(email=email, query_string=query_string, frequency=frequency, language=language))


def _upsert(saved):
    """One INSERT ... ON CONFLICT (email, query_string) DO UPDATE: no read-then-write race."""
    (saved,) = SavedSearch.objects.bulk_create(
        [saved],
        update_conflicts=True,
        unique_fields=["email", "query_string"],
        update_fields=["frequency", "language"] + (["user"] if saved.user_id else []),
    )
    return saved


def unsubscribe_token(*, saved_search: SavedSearch | None = None, email: str | None = None) -> str:
    """A link token that ends one saved search, or every alert of `email`."""
    payload = {"id": saved_search.pk} if saved_search is not None else {"email": email}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT)


def unsubscribe(token: str) -> int:
    """Delete what the token names. Returns how many alerts ended (0 if already gone).
    Raises signing.BadSignature for a token that is not ours."""
    payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if "id" in payload:
        searches = SavedSearch.objects.filter(pk=payload["id"])
    else:
        searches = SavedSearch.objects.filter(email=payload["email"])
    deleted, by_model = searches.delete()
    return by_model.get(SavedSearch._meta.label, 0)


# --- digests ------------------------------------------------------------------------------------


class Period(NamedTuple):
    start: datetime.date
    end: datetime.date  # the day after the period's last


def last_period(frequency: str, today: datetime.date) -> Period:
    """The last complete period before `today` (a date): the previous ISO week (Monday to Monday)
    or the previous calendar month."""
    if frequency == Frequency.WEEKLY:
        end = today - datetime.timedelta(days=today.weekday())
        return Period(start=end - datetime.timedelta(days=7), end=end)
    end = today.replace(day=1)
    return Period(start=(end - datetime.timedelta(days=1)).replace(day=1), end=end)


@dataclass(frozen=True)
class DigestSection:
    """One saved search's part of a digest e-mail."""

    saved: SavedSearch
    count: int  # the new public entries of the period that match it
    entries: list[Entry]  # the first DIGEST_LIST_LIMIT of them

    # Cached: the e-mail's text and HTML parts carry the same links.
    @cached_property
    def search_link(self) -> str:
        return browse_link(self.saved.query_string)

    @cached_property
    def unsubscribe_link(self) -> str:
        return settings.SITE_URL + reverse(
            "alerts:unsubscribe", kwargs={"token": unsubscribe_token(saved_search=self.saved)}
        )

    @cached_property
    def entry_links(self) -> list[tuple[Entry, str]]:
        """(entry, absolute URL of its page) for each listed entry."""
        return [(entry, settings.SITE_URL + entry.get_absolute_url()) for entry in self.entries]


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """Send each address one e-mail per frequency for the last complete period, listing the new
    public entries of each of its saved searches (none new: no e-mail). Returns the number of
    e-mails sent.

    At most once: for each address, the Digest rows of the period (unique per saved search and
    period) are committed *before* the e-mail goes out. A second run, or a worker that restarts
    after a crash, finds them and sends nothing; the price of a crash between the commit and the
    send is one lost digest (its `sent_at` stays empty), never a duplicate, which is the trade a
    subscriber prefers. Run it as often as you like (daily from cron: `manage.py send_alert_digests`)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    matches = {}  # one search per distinct (query string, period), however many subscribe to it
    for frequency in Frequency:
        start, end = last_period(frequency, today)
        since, until = _midnight(start), _midnight(end)
        due = (
            SavedSearch.objects.filter(frequency=frequency, created_at__lt=until)
            .exclude(digests__period_start=start)
            .order_by("email", "created_at")
        )
        for email, group in groupby(due, key=lambda saved: saved.email):
            sections = []
            for saved in group:
                key = (saved.query_string, start, end)
                if key not in matches:
                    entries = _matching_entries(saved.query_string, since, until)
                    matches[key] = (entries.count(), list(entries[:DIGEST_LIST_LIMIT]))
                count, listed = matches[key]
                sections.append(DigestSection(saved=saved, count=count, entries=listed))
            claimed = _claim(sections, start, end)
            if claimed and any(section.count for section in claimed):
                _send_digest(email, frequency, start, end, claimed)
                Digest.objects.filter(
                    saved_search__in=[section.saved for section in claimed], period_start=start
                ).update(sent_at=timezone.now())
                sent += 1
    return sent


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _claim(sections, start, end):
    """Record the period's Digest rows, committed before any e-mail; returns the sections this
    run claimed (another worker's or an earlier run's are dropped)."""
    claimed = []
    for section in sections:
        try:
            with transaction.atomic():
                Digest.objects.create(
                    saved_search=section.saved, period_start=start, period_end=end, entry_count=section.count
                )
        except IntegrityError:
            continue
        claimed.append(section)
    return claimed


def _send_digest(email, frequency, start, end, sections):
    language = sections[-1].saved.language  # the one chosen most recently
    unsubscribe_all = settings.SITE_URL + reverse(
        "alerts:unsubscribe", kwargs={"token": unsubscribe_token(email=email)}
    )
    context = {
        "sections": [section for section in sections if section.count],
        "start": start,
        "last_day": end - datetime.timedelta(days=1),
        "frequency": frequency,
        "unsubscribe_all": unsubscribe_all,
        "site_url": settings.SITE_URL,
    }
    with translation.override(language):
        subject = render_to_string("alerts/emails/digest_subject.txt", context).strip()
        text = render_to_string("alerts/emails/digest.txt", context)
        html = render_to_string("alerts/emails/digest.html", context)
    message = PortalEmail(
        subject,
        text,
        None,
        [email],
        # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe (a POST to the link); the URL
        # is written as it is, never RFC 2047-encoded (core/mail.py).
        headers={"List-Unsubscribe": f"<{unsubscribe_all}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    message.send()


def browse_link(query_string: str) -> str:
    return settings.SITE_URL + reverse("depository:browse") + (f"?{query_string}" if query_string else "")
