"""State that must last: kept in tables, never in the cache (issue 22, finding 1: Django's database
cache culls a third of its entries past MAX_ENTRIES, so whatever else fills it wipes what is there)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """How many times one key (a rate-limit group and a keyed hash of what it counts: a client
    address, an e-mail address) was hit in one fixed window. Written only by core.ratelimits with one
    INSERT ... ON CONFLICT DO UPDATE per hit; rows of windows past are deleted as new ones come."""

    key = models.CharField(_("key"), max_length=200)
    window = models.DateTimeField(_("window start"))
    expires_at = models.DateTimeField(_("window end"))
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
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
