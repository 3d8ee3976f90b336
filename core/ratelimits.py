"""Rate limits kept in a table (core.models.RateCounter), for every limit the portal enforces: password
resets, alert confirmations, the API's throttle, and how often a statistics flush is queued.

Why not django-ratelimit's or django-ninja's counters: both keep them in Django's cache, and the
database cache culls a third of its rows when it passes MAX_ENTRIES (issue 22, finding 1: counting
400 page views wiped every reset limit). Neither library can count elsewhere. A fixed window per key,
counted by one atomic statement (INSERT ... ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING
hits), is all they did; two requests at the same moment can never both read the old count.

Keys never hold an address in clear: the counted value (an IP or e-mail address) is an HMAC under
SECRET_KEY (django.utils.crypto.salted_hmac), so the table says how often, not who.
"""

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.models import RateCounter

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_RE = re.compile(r"^(?P<limit>\d+)/(?P<count>\d*)(?P<unit>[smhd])$")
# Each hit also deletes at most this many counters of ended windows, so the table holds about one row
# per key and current window whatever the traffic, without a job of its own.
PURGE_PER_HIT = 10


@dataclass(frozen=True)
class Rate:
    """`limit` hits per `period` seconds."""

    limit: int
    period: int


def parse_rate(rate):
    """A rate as django-ratelimit writes it, "N/s|m|h|d" or "N/<count><unit>" ("10/h", "1/300s"), as a
    Rate. Raises ValueError for anything else."""
    match = RATE_RE.match(rate.strip())
    if not match:
        raise ValueError(f"Not a rate ('10/h', '120/m', '1/300s'): {rate!r}")
    period = int(match["count"] or 1) * PERIODS[match["unit"]]
    return Rate(limit=int(match["limit"]), period=period)


def window_start(now, period):
    """The start of the fixed window of `period` seconds that holds `now` (windows start at the epoch)."""
    seconds = math.floor(now.timestamp() / period) * period
    return datetime.fromtimestamp(seconds, tz=UTC)


def counter_key(group, value):
    """The stored key: the group and a keyed hash of the value (never the value itself)."""
    digest = salted_hmac(f"core.ratelimits:{group}", value, algorithm="sha256").hexdigest()
    return f"{group}:{digest}"


HIT_SQL = f"""
    WITH purged AS (
        DELETE FROM {RateCounter._meta.db_table} WHERE id IN (
            SELECT id FROM {RateCounter._meta.db_table} WHERE expires_at < %(now)s
            ORDER BY expires_at LIMIT {PURGE_PER_HIT} FOR UPDATE SKIP LOCKED
        )
    )
    INSERT INTO {RateCounter._meta.db_table} (key, "window", expires_at, hits)
    VALUES (%(key)s, %(window)s, %(expires_at)s, 1)
    ON CONFLICT (key, "window") DO UPDATE SET hits = {RateCounter._meta.db_table}.hits + 1
    RETURNING hits
"""  # noqa: S608 (the table name is the model's)


@dataclass(frozen=True)
class Hit:
    """One counted hit: `count` hits in the window so far (this one included); `limited` when that is
    over the rate's limit; `retry_after` seconds until the window ends."""

    count: int
    limited: bool
    retry_after: int


def hit(group, value, rate, *, now=None):
    """Count one hit of `value` (a client address, an e-mail address; any string) in `group` and say
    whether it goes over `rate` (a Rate or "N/s|m|h|d"). One statement; every hit counts, refused or
    not, so a client that keeps trying stays refused until the window ends."""
    rate = parse_rate(rate) if isinstance(rate, str) else rate
    now = now or timezone.now()
    start = window_start(now, rate.period)
    end = start + timedelta(seconds=rate.period)
    with connection.cursor() as cursor:
        cursor.execute(HIT_SQL, {"now": now, "key": counter_key(group, value), "window": start, "expires_at": end})
        (count,) = cursor.fetchone()
    return Hit(count=count, limited=count > rate.limit, retry_after=max(math.ceil((end - now).total_seconds()), 1))
