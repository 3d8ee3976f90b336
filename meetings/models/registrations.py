"""Members' registrations for a meeting or an event, with their needs and any request for travel support
(issue 24). Needs and support are private: only organizers and the member themself see them
(docs/network-meetings.md), and they are blanked `REGISTRATION_DATA_RETENTION_DAYS` after the meeting
(`manage.py blank_registration_data`)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from people.models import Organization, Person

NEEDS_MAX_LENGTH = 500
JUSTIFICATION_MAX_LENGTH = 1000
SUPPORT_NOTE_MAX_LENGTH = 1000


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered, awaiting the organizers")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class SupportStatus(models.TextChoices):
    NOT_REQUESTED = "", _("Not requested")
    REQUESTED = "requested", _("Requested, awaiting a decision")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class RegistrationQuerySet(models.QuerySet):
    def of_user(self, user):
        """A member's own registrations, with what their dashboard shows, soonest first."""
        return (
            self.filter(user=user)
            .select_related("meeting", "event")
            .order_by(models.F("meeting__start_date").asc(nulls_last=True), "event__start_date", "id")
        )

    def for_export(self):
        return self.select_related("meeting", "event", "person", "organization", "user").order_by(
            "meeting__start_date", "event__start_date", "person__name", "id"
        )


class Registration(CleanTextModel):
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    event = models.ForeignKey(
        "meetings.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="meeting_registrations",
    )
    # Taken from the member's profile when they register: who becomes a participant once the meeting is held.
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization then"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    needs = models.CharField(
        _("dietary and access needs"),
        max_length=NEEDS_MAX_LENGTH,
        blank=True,
        help_text=_("Private: only the organizers and the member see it."),
    )
    support_status = models.CharField(
        _("travel support"),
        max_length=16,
        choices=SupportStatus.choices,
        default=SupportStatus.NOT_REQUESTED,
        blank=True,
    )
    support_justification = models.CharField(
        _("why support is needed"), max_length=JUSTIFICATION_MAX_LENGTH, blank=True
    )
    support_amount = models.DecimalField(
        _("amount approved"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    support_currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("A three-letter ISO 4217 code, such as USD, EUR or CHF."))],
    )
    support_note = models.CharField(
        _("organizers' note on the support"),
        max_length=SUPPORT_NOTE_MAX_LENGTH,
        blank=True,
        help_text=_("Shown to the member with the decision."),
    )
    support_decided_on = models.DateField(_("support decided on"), null=True, blank=True, editable=False)
    private_data_blanked_on = models.DateField(
        _("needs and support data blanked on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set by manage.py blank_registration_data once the retention period has passed."),
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, event__isnull=True) | Q(meeting__isnull=True, event__isnull=False),
                name="registration_for_a_meeting_or_an_event",
            ),
            # A member registers once per meeting or event (NULLs are distinct: the other column stays free).
            models.UniqueConstraint(fields=["user", "meeting"], name="registration_once_per_meeting"),
            models.UniqueConstraint(fields=["user", "event"], name="registration_once_per_event"),
            # An amount is a decision: it is there only for approved support, with its currency (until the
            # retention period blanks both).
            models.CheckConstraint(
                condition=Q(support_amount__isnull=True) | Q(support_status=SupportStatus.APPROVED),
                name="registration_amount_only_when_approved",
            ),
            models.CheckConstraint(
                condition=~Q(support_status=SupportStatus.APPROVED)
                | Q(support_amount__isnull=False) & ~Q(support_currency="")
                | Q(private_data_blanked_on__isnull=False),
                name="registration_approved_support_has_amount",
            ),
        ]

    def __str__(self):
        return f"{self.person or self.user} · {self.target}"

    @property
    def target(self):
        """The meeting or the event registered for."""
        return self.meeting or self.event

    def clean(self):
        super().clean()
        errors = {}
        if self.support_status == SupportStatus.APPROVED and self.private_data_blanked_on is None:
            if self.support_amount is None:
                errors["support_amount"] = _("Approving support needs an amount.")
            if not self.support_currency:
                errors["support_currency"] = _("Approving support needs a currency.")
        elif self.support_amount is not None:
            errors["support_amount"] = _("An amount goes with approved support only.")
        if self.support_status == SupportStatus.REQUESTED and not self.support_justification.strip():
            errors["support_justification"] = _("Say briefly why support is needed.")
        if errors:
            raise ValidationError(errors)
