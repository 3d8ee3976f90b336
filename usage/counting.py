"""Counting page views and file downloads without keeping anything about the visitor.

A request never writes to the statistics table (MonthlyUsage). `record_hit` writes one row of
CountedVisit at most, a table of its own (never the cache: issue 22, finding 1, the database cache
culls a third of its rows when full, and counted views vanished with them):

1. Not counted: robots (an empty User-Agent, or one the `crawler-user-agents` patterns match),
   organizers (their own previews, checks and downloads while curating: core.roles.is_organizer),
   and entries that are not published (a draft's preview).
2. A visitor is a client address on a UTC day (issue 22, finding 8: not the address and its
   User-Agent, which a client may change at every request). The visitor-day hash is SHA-256 of (the
   day's salt, the address, the entry, the kind); the salt is random, made by the day's first hit
   and deleted once the day is over, after which nobody (us included) can tell whose hash was whose.
   The address and the User-Agent are never stored.
3. The hash is the CountedVisit's primary key: INSERT ... ON CONFLICT DO NOTHING, so the same
   visitor twice in a day counts once, whatever runs at the same moment.

`flush` (the `flush_statistics` command, and the task `flush_statistics_task` that a counted hit
queues for USAGE_FLUSH_INTERVAL_SECONDS later, at most once per interval) marks the unflushed rows
and adds them, summed per entry and month, to MonthlyUsage in one statement (INSERT ... ON CONFLICT
DO UPDATE), so a crash never counts a row twice and two flushes at once never count it twice either
(the second waits on the first's row locks, then finds the rows flushed). Rows of entries that are
no longer published are dropped. Flushed rows of past days, and past days' salts, are deleted.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

import crawleruseragents
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import ratelimits
from core.auth_backends import client_ip_address
from core.roles import is_organizer
from depository.models import Entry, EntryStatus
from usage.models import CountedVisit, DailySalt, MonthlyUsage, UsageKind

logger = logging.getLogger(__name__)


def is_robot(user_agent):
    """True for an empty User-Agent or a known robot's (the crawler-user-agents list)."""
    return not user_agent.strip() or crawleruseragents.is_crawler(user_agent)


def visitor_day_digest(*, salt, ip, entry_slug, kind):
    """The hash that says 'this address already counted for this entry today': 64 hex digits; the
    inputs cannot be recovered from it once the salt is gone."""
    return hashlib.sha256("\x00".join([salt, ip or "", entry_slug, kind]).encode()).hexdigest()


def day_salt(day):
    """The salt of `day` (a date), made by its first hit; making it deletes the past days' salts."""
    salt = DailySalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if salt is None:
        DailySalt.objects.bulk_create([DailySalt(day=day, salt=secrets.token_hex(32))], ignore_conflicts=True)
        DailySalt.objects.filter(day__lt=day).delete()
        salt = DailySalt.objects.filter(day=day).values_list("salt", flat=True).get()
    return salt


# The entry must exist and be published; a second hit of the same visitor-day inserts nothing.
INSERT_VISIT = f"""
    INSERT INTO {CountedVisit._meta.db_table} (digest, day, entry_id, kind, flushed)
    SELECT %(digest)s, %(day)s, entry.id, %(kind)s, false
    FROM {Entry._meta.db_table} AS entry WHERE entry.slug = %(slug)s AND entry.status = %(published)s
    ON CONFLICT (digest) DO NOTHING
    RETURNING 1
"""  # noqa: S608 (table names are the models')


def record_hit(request, *, entry_slug, kind):
    """Count one view or download of the entry `entry_slug` by the visitor of `request`, at most once
    per client address, entry, kind and UTC day. Returns True when counted. Three queries when
    counted (the salt, the visit, the flush's schedule), two when not."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    if is_robot(user_agent):
        return False
    user = getattr(request, "user", None)
    if user is not None and is_organizer(user):
        return False
    now = timezone.now()
    day = now.date()
    digest = visitor_day_digest(salt=day_salt(day), ip=client_ip_address(request), entry_slug=entry_slug, kind=kind)
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_VISIT,
            {"digest": digest, "day": day, "kind": kind, "slug": entry_slug, "published": EntryStatus.PUBLISHED},
        )
        if cursor.fetchone() is None:
            return False
    interval = settings.USAGE_FLUSH_INTERVAL_SECONDS
    # One queued flush per interval (counted in a table, like every limit: core/ratelimits.py).
    if not ratelimits.hit("usage:flush-queued", "", ratelimits.Rate(limit=1, period=max(interval, 1)), now=now).limited:
        from usage.tasks import flush_statistics_task

        flush_statistics_task.using(run_after=now + timedelta(seconds=interval)).enqueue()
    return True


# One statement: mark the unflushed visits and add them, per entry and month, to the monthly rows;
# visits of entries no longer published are marked and dropped. Returns how many visits it read.
FLUSH = f"""
    WITH moved AS (
        UPDATE {CountedVisit._meta.db_table} SET flushed = true WHERE NOT flushed
        RETURNING entry_id, day, kind
    ), totals AS (
        SELECT entry_id, date_trunc('month', day)::date AS month,
               count(*) FILTER (WHERE kind = %(view)s) AS views,
               count(*) FILTER (WHERE kind = %(download)s) AS downloads
        FROM moved GROUP BY entry_id, date_trunc('month', day)
    ), written AS (
        INSERT INTO {MonthlyUsage._meta.db_table} (entry_id, month, views, downloads)
        SELECT totals.entry_id, totals.month, totals.views, totals.downloads
        FROM totals JOIN {Entry._meta.db_table} AS entry
            ON entry.id = totals.entry_id AND entry.status = %(published)s
        ON CONFLICT (entry_id, month) DO UPDATE
        SET views = {MonthlyUsage._meta.db_table}.views + EXCLUDED.views,
            downloads = {MonthlyUsage._meta.db_table}.downloads + EXCLUDED.downloads
    )
    SELECT count(*) FROM moved
"""  # noqa: S608 (table names are the models')


def flush():
    """Move the counted visits into MonthlyUsage. Returns the number of visits read. Safe to run at any
    time and from several workers at once."""
    today = timezone.now().date()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            FLUSH, {"view": UsageKind.VIEW, "download": UsageKind.DOWNLOAD, "published": EntryStatus.PUBLISHED}
        )
        (moved,) = cursor.fetchone()
        CountedVisit.objects.filter(day__lt=today, flushed=True).delete()
        DailySalt.objects.filter(day__lt=today).delete()
    return moved
