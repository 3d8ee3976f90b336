"""Link health (issue 21; docs/harvesting.md, "Link health"): every external link of the published entries
(an entry's `external_url`, the source link of its public files) is checked through the safe fetcher at
most once every LINK_CHECK_INTERVAL_DAYS days, one after another, each host at its rate
(HARVEST_HOST_RATE). What each check found is kept in `LinkCheck`; the organizers' start page lists the
broken ones (`LinkCheck.objects.broken()`).

A check asks HEAD first and, when the answer is an error, GET (some servers refuse or mishandle HEAD),
never reading the body. A link to an address the fetcher refuses (loopback, private ...) is "not checked:
address not allowed", never a failure; a check the per-host rate leaves no time for is left for the next
run.
"""

import logging
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.utils import timezone

from depository.models import Attachment, Entry, EntryStatus
from harvest.fetch import AddressRefused, Fetcher, FetchError, RateLimited
from harvest.models import LinkCheck, LinkStatus

logger = logging.getLogger(__name__)

# pg_advisory_lock's key for "check_links is running": a second run (cron firing while a slow run goes
# on) returns at once instead of checking the same links twice.
LINK_CHECK_LOCK = 0x7477_6702
RECORDED_FIELDS = ["status", "status_code", "error", "consecutive_failures", "checked_at", "failing_since"]


def linked_urls():
    """{(entry id, url)} of every external link of the published entries."""
    entries = Entry.objects.filter(status=EntryStatus.PUBLISHED).exclude(external_url="")
    files = Attachment.objects.filter(entry__status=EntryStatus.PUBLISHED, is_public=True).exclude(source_url="")
    return set(entries.values_list("pk", "external_url")) | set(files.values_list("entry_id", "source_url"))


def sync_link_checks():
    """A LinkCheck for every link now linked, and none for a link no longer linked (an entry edited,
    unpublished or deleted, a file removed). Returns (added, removed)."""
    wanted = linked_urls()
    known = {(entry_id, url): pk for pk, entry_id, url in LinkCheck.objects.values_list("pk", "entry_id", "url")}
    added = LinkCheck.objects.bulk_create(
        [LinkCheck(entry_id=entry_id, url=url) for entry_id, url in wanted - known.keys()], ignore_conflicts=True
    )
    removed = [pk for key, pk in known.items() if key not in wanted]
    LinkCheck.objects.filter(pk__in=removed).delete()
    return len(added), len(removed)


@contextmanager
def link_check_lock():
    """Yields whether this process now runs the link check (a session-level advisory lock, released
    when the session ends: a run that died holds nothing)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LINK_CHECK_LOCK])
        (held,) = cursor.fetchone()
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LINK_CHECK_LOCK])


def check_links(*, limit=None, fetcher=None):
    """Check the links due (never checked, or not in LINK_CHECK_INTERVAL_DAYS days), oldest first, at
    most `limit` of them; each outcome is saved as it comes. Returns a Counter of LinkStatus values
    ("skipped" for those left for the next run)."""
    outcomes = Counter()
    with link_check_lock() as held:
        if not held:
            logger.info("check_links is already running; this run does nothing")
            return outcomes
        sync_link_checks()
        due = LinkCheck.objects.due(now=timezone.now(), days=settings.LINK_CHECK_INTERVAL_DAYS)
        if limit:
            due = due[:limit]
        fetcher = fetcher or Fetcher(
            timeout=settings.LINK_CHECK_TIMEOUT_SECONDS, total_seconds=settings.LINK_CHECK_TIMEOUT_SECONDS * 4
        )
        for link in due.iterator(chunk_size=200):
            outcomes[check_link(link, fetcher)] += 1
    return outcomes


def check_link(link, fetcher):
    """Check one link and save what was found; returns its LinkStatus value (or "skipped")."""
    try:
        status_code, _url = fetcher.status(link.url)
        if status_code >= 400:  # some servers refuse HEAD (405, 501) or answer it wrongly: ask as a browser does
            status_code, _url = fetcher.status(link.url, method="GET")
    except AddressRefused as refused:
        return record(link, LinkStatus.NOT_ALLOWED, error=str(refused))
    except RateLimited:
        return "skipped"  # our own limit, not the link's fault: still due, the next run checks it
    except FetchError as error:  # a timeout, a refused connection, an unknown host, a redirect loop ...
        return record(link, LinkStatus.FAILED, error=str(error))
    if status_code >= 400:
        return record(link, LinkStatus.FAILED, status_code=status_code)
    return record(link, LinkStatus.OK, status_code=status_code)


def record(link, status, *, status_code=None, error=""):
    now = timezone.now()
    link.status, link.status_code, link.error, link.checked_at = status, status_code, error[:2000], now
    if status == LinkStatus.FAILED:
        link.consecutive_failures += 1
        link.failing_since = link.failing_since or now
    else:
        link.consecutive_failures, link.failing_since = 0, None
    link.save(update_fields=RECORDED_FIELDS)
    if status == LinkStatus.FAILED:
        logger.info("Link %s of entry %s failed (%s in a row): %s", link.url, link.entry_id, link.consecutive_failures,
                    link.problem)  # fmt: skip
    return status.value
