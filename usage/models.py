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
