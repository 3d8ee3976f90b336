"""Counting page views and file downloads without keeping anything about the visitor.

A request never writes to the statistics table. `record_hit` only touches the cache (the database
cache table, or Redis when REDIS_URL is set):

1. Robots are skipped: an empty User-Agent, or one that the `crawler-user-agents` patterns match.
2. The visitor-day key is SHA-256 of (today's salt, IP address, User-Agent, entry, kind). The salt is
   random, made on the first hit of the UTC day, kept only in the cache and expiring at the day's
   end, after which nobody (us included) can tell whose key was whose. The key is kept in the cache
   until the day ends (`cache.add`, so the same visitor twice in a day counts once); it is never
   written to the statistics table, nor is the address or the User-Agent.
3. A counted hit is appended to the cache as the next numbered slot holding only
   "<day>|<entry slug>|<kind>".

`flush` (the `flush_statistics` command, and the task `flush_statistics_task` that the first hit after
a flush queues for USAGE_FLUSH_INTERVAL_SECONDS later) reads the slots written since the last flush, sums them per
entry and month, and adds each batch to MonthlyUsage with one INSERT ... ON CONFLICT DO UPDATE.
Slots of entries that are no longer published are dropped. With the database cache the batch and the
"flushed up to" mark commit together, so a crash never counts a batch twice.
"""

import hashlib
import logging
import secrets
from collections import Counter
from datetime import datetime, time, timedelta

import crawleruseragents
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from core.auth_backends import client_ip_address
from usage.models import UsageKind

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
SLOT_TIMEOUT = int(timedelta(days=14).total_seconds())  # a hit waits this long at most for a flush
SEQUENCE_KEY = "usage:sequence"
FLUSHED_KEY = "usage:flushed"
LOCK_KEY = "usage:flush-lock"
QUEUED_KEY = "usage:flush-queued"


def is_robot(user_agent):
    """True for an empty User-Agent or a known robot's (the crawler-user-agents list)."""
    return not user_agent.strip() or crawleruseragents.is_crawler(user_agent)


def _seconds_left_today(now):
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)
    return max(int((tomorrow - now).total_seconds()), 1)


def visitor_day_key(*, salt, ip, user_agent, entry_slug, kind):
    """The cache key that says 'this visitor already counted for this entry today'. Shape:
    "usage:seen:<64 hex digits>"; the inputs cannot be recovered from it once the salt is gone."""
    digest = hashlib.sha256("\x00".join([salt, ip or "", user_agent, entry_slug, kind]).encode()).hexdigest()
    return f"usage:seen:{digest}"


def record_hit(request, *, entry_slug, kind):
    """Count one view or download of the entry `entry_slug` by the visitor of `request`, at most once
    per visitor, entry, kind and UTC day. Returns True when counted. Touches only the cache."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    if is_robot(user_agent):
        return False
    now = timezone.now()
    ttl = _seconds_left_today(now)
    day = now.date().isoformat()
    salt = cache.get_or_set(f"usage:salt:{day}", secrets.token_hex(32), timeout=ttl)
    seen = visitor_day_key(
        salt=salt, ip=client_ip_address(request), user_agent=user_agent, entry_slug=entry_slug, kind=kind
    )
    if not cache.add(seen, 1, timeout=ttl):
        return False
    _append(f"{day}|{entry_slug}|{kind}")
    interval = settings.USAGE_FLUSH_INTERVAL_SECONDS
    if cache.add(QUEUED_KEY, 1, timeout=max(interval, 1)):
        from usage.tasks import flush_statistics_task

        flush_statistics_task.using(run_after=now + timedelta(seconds=interval)).enqueue()
    return True


def _append(value):
    # cache.incr is atomic on Redis but a read-then-write on the database cache, where two hits may
    # draw the same number; cache.add lets only one of them have the slot, the other draws again.
    while True:
        try:
            slot = cache.incr(SEQUENCE_KEY)
        except ValueError:  # the first hit ever, or the cache was emptied
            cache.add(SEQUENCE_KEY, 0, timeout=None)
            continue
        if cache.add(f"usage:hit:{slot}", value, timeout=SLOT_TIMEOUT):
            return slot


# One statement per batch; slugs of entries that are gone or no longer published match nothing.
UPSERT = """
    INSERT INTO usage_monthlyusage (entry_id, month, views, downloads)
    SELECT entry.id, batch.month, batch.views, batch.downloads
    FROM unnest(%s::text[], %s::date[], %s::integer[], %s::integer[]) AS batch(slug, month, views, downloads)
    JOIN depository_entry AS entry ON entry.slug = batch.slug AND entry.status = 'published'
    ON CONFLICT (entry_id, month) DO UPDATE
    SET views = usage_monthlyusage.views + EXCLUDED.views,
        downloads = usage_monthlyusage.downloads + EXCLUDED.downloads
"""


def _write_batch(values):
    """Add one batch of slot values ("<day>|<slug>|<kind>") to MonthlyUsage: one statement."""
    totals = Counter()
    for value in values:
        day, slug, kind = value.split("|", 2)
        totals[(slug, day[:7] + "-01", kind)] += 1
    rows = {}
    for (slug, month, kind), count in totals.items():
        views, downloads = rows.get((slug, month), (0, 0))
        rows[(slug, month)] = (views + count, downloads) if kind == UsageKind.VIEW else (views, downloads + count)
    if not rows:
        return 0
    keys = list(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT,
            [
                [slug for slug, _ in keys],
                [month for _, month in keys],
                [rows[key][0] for key in keys],
                [rows[key][1] for key in keys],
            ],
        )
    return len(values)


def flush(*, batch_size=BATCH_SIZE):
    """Move the counted hits from the cache into MonthlyUsage. Returns the number of hits read, or
    None when another flush is running. Safe to run at any time and from several workers."""
    if not cache.add(LOCK_KEY, 1, timeout=600):
        return None
    try:
        cache.delete(QUEUED_KEY)  # the next hit queues the next flush
        # An expired key may linger as a row of the database cache until culled: drop past salts now.
        today = timezone.now().date()
        cache.delete_many([f"usage:salt:{today - timedelta(days=days)}" for days in range(1, 8)])
        flushed = cache.get(FLUSHED_KEY, 0)
        last = cache.get(SEQUENCE_KEY, 0)
        if last < flushed:  # the cache was emptied and numbering started again
            flushed = 0
        moved = 0
        for start in range(flushed + 1, last + 1, batch_size):
            keys = [f"usage:hit:{slot}" for slot in range(start, min(start + batch_size, last + 1))]
            values = cache.get_many(keys)
            with transaction.atomic():
                moved += _write_batch(list(values.values()))
                cache.set(FLUSHED_KEY, start + len(keys) - 1, timeout=None)
            cache.delete_many(keys)
        return moved
    finally:
        cache.delete(LOCK_KEY)
