"""Member accounts and the invitations that create them."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from people.models import Organization, Person


class Member(CleanTextModel):
    """A user account of a TWG member, linked to the person the meeting records know."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="member"
    )
    person = models.OneToOneField(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="member"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["person__name", "user__username"]

    def __str__(self):
        return self.person.name if self.person_id else self.user.get_username()


def hash_token(token):
    """Invitation tokens are long random strings; only their SHA-256 is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(CleanTextModel):
    """A single-use, expiring link that lets someone become a member."""

    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("Suggested name for a new person."))
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
        help_text=_("The person the new member will be; empty to create a new person (merge them later if needed)."),
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sent_invitations",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
        help_text=_("The member account created with this invitation."),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # An accepted invitation always names the member it created (the admin lists them).
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(member__isnull=False), name="invitation_accepted_has_member"
            ),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        # The account is bound to this person on acceptance (members/services/invitations.py): a person
        # who already has an account cannot be given a second one.
        if self.person_id and not self.is_used and Member.objects.filter(person_id=self.person_id).exists():
            raise ValidationError({"person": _("This person already has an account.")})

    @property
    def is_used(self):
        return self.accepted_at is not None

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()
