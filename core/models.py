"""State that must last: kept in tables, never in the cache (issue 22, finding 1: Django's database
cache culls a third of its entries past MAX_ENTRIES, so whatever else fills it wipes what is there)."""

from django.db import models


class RateCounter(models.Model):
    """How many times one key (a rate-limit group and a keyed hash of what it counts: a client
    address, an e-mail address) was hit in one fixed window. Written only by core.ratelimits with one
    INSERT ... ON CONFLICT DO UPDATE per hit; rows of windows past are deleted as new ones come.
    No page shows it: its names are not translated."""

    key = models.CharField("key", max_length=200)
    window = models.DateTimeField("window start")
    expires_at = models.DateTimeField("window end")
    hits = models.PositiveIntegerField("hits", default=0)

    class Meta:
        verbose_name = "rate counter"
        verbose_name_plural = "rate counters"
        constraints = [
            # The counter's upsert: ON CONFLICT (key, window).
            models.UniqueConstraint(fields=["key", "window"], name="core_one_counter_per_key_window"),
        ]
        indexes = [
            # Each hit deletes a few counters whose window has ended, oldest first.
            models.Index(fields=["expires_at"], name="core_ratecounter_expires_idx"),
        ]

    def __str__(self):
        return f"{self.key} @ {self.window:%Y-%m-%d %H:%M:%S}: {self.hits}"
