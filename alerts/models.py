"""Saved searches that e-mail a digest of new public entries, and the record of each digest sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class SavedSearch(CleanTextModel):
    """One search of the depository (the browse page's query string, canonical, without page or
    sort) that `email` receives as an alert. A member's is tied to the account; a visitor's exists
    only once the address has been confirmed (double opt-in: nothing is stored before)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_searches",
    )
    email = models.EmailField(_("e-mail address"))
    query_string = models.CharField(_("search"), max_length=2000, blank=True)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    created_at = models.DateTimeField(_("subscribed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["email", "created_at"]
        constraints = [
            # Saving the same search again changes its frequency instead of doubling the alert.
            models.UniqueConstraint(fields=["email", "query_string"], name="alerts_savedsearch_once_per_address"),
        ]
        indexes = [models.Index(fields=["frequency", "email"], name="alerts_savedsearch_due")]

    def __str__(self):
        return f"{self.email}: {self.query_string or '*'}"


class Digest(CleanTextModel):
    """One saved search's share of one period's digest e-mail. The row is committed *before* the
    e-mail is sent (alerts.services.send_digests): a crash between the two loses that digest (then
    `sent_at` stays empty, shown in the admin) but can never send it twice."""

    saved_search = models.ForeignKey(
        SavedSearch, verbose_name=_("saved search"), on_delete=models.CASCADE, related_name="digests"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    entry_count = models.PositiveIntegerField(_("new entries"), default=0)
    claimed_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-period_start", "saved_search"]
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "period_start"], name="alerts_digest_once_per_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")), name="alerts_digest_period"
            ),
        ]

    def __str__(self):
        return f"{self.saved_search} · {self.period_start}"
