"""Monthly use counters of depository entries: aggregate numbers only, nothing about a visitor."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from depository.models import Entry


class UsageKind(models.TextChoices):
    VIEW = "view", _("Page views")
    DOWNLOAD = "download", _("File downloads")


class MonthlyUsage(CleanTextModel):
    """Views of an entry's page and downloads of its files in one calendar month (UTC), each visitor
    counted once a day (usage/counting.py). Written only by `usage.counting.flush`."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="monthly_usage")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    views = models.PositiveIntegerField(_("page views"), default=0)
    downloads = models.PositiveIntegerField(_("file downloads"), default=0)

    class Meta:
        verbose_name = _("use statistics")
        verbose_name_plural = _("use statistics")
        ordering = ["-month", "entry"]
        constraints = [
            # The flush adds a batch with INSERT ... ON CONFLICT (entry, month) DO UPDATE.
            models.UniqueConstraint(fields=["entry", "month"], name="usage_one_row_per_entry_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="usage_month_is_first_day"),
        ]
        indexes = [
            # The report sums a period of months across all entries.
            models.Index(fields=["month"], name="usage_month_idx"),
        ]

    def __str__(self):
        return f"{self.entry} · {self.month:%Y-%m}"


class DailySalt(models.Model):
    """The random salt of one UTC day's visitor hashes (CountedVisit.digest). Deleted once the day is
    over (by the first hit of the next day and by every flush): then no one, the portal included, can
    tell whose hash was whose. No page shows it (nor CountedVisit): their names are not translated."""

    day = models.DateField("day", primary_key=True)
    salt = models.CharField("salt", max_length=64)

    class Meta:
        verbose_name = "daily salt"
        verbose_name_plural = "daily salts"

    def __str__(self):
        return str(self.day)


class CountedVisit(models.Model):
    """One visitor's first view (or download) of an entry on one UTC day: the visitor-day that makes a
    second visit count nothing, and the hit waiting for the flush (usage/counting.py). Holds no address
    and no User-Agent: `digest` is SHA-256 of (the day's salt, the client address, the entry, the
    kind). The flush adds unflushed rows to MonthlyUsage and marks them; rows of past days are deleted
    once flushed."""

    digest = models.CharField("visitor-day hash", max_length=64, primary_key=True)
    day = models.DateField("day")
    entry = models.ForeignKey(Entry, verbose_name="entry", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("kind", max_length=8, choices=UsageKind.choices)
    flushed = models.BooleanField("flushed", default=False)

    class Meta:
        verbose_name = "counted visit"
        verbose_name_plural = "counted visits"
        indexes = [
            # The flush reads the rows it has not added yet.
            models.Index(fields=["day"], condition=Q(flushed=False), name="usage_visit_unflushed_idx"),
            # ... and deletes flushed rows of past days.
            models.Index(fields=["day"], condition=Q(flushed=True), name="usage_visit_flushed_idx"),
        ]

    def __str__(self):
        return f"{self.day} {self.kind}"
