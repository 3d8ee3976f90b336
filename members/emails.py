"""E-mails of the members app, sent through Django's mail (MAILERS) after the transaction commits."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from core.mail import PortalEmail
from core.roles import ORGANIZERS_GROUP
from members.models import PaperStatus
from members.workflow import ACTIONS, Role

# The statuses only authors move a paper to; the organizers hear of these, the authors of the rest.
AUTHOR_TARGETS = {action.target for action in ACTIONS.values() if action.role == Role.AUTHOR}


def absolute(path):
    return settings.SITE_URL + path


def send(template, context, recipients):
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return 0
    subject = render_to_string(f"members/emails/{template}_subject.txt", context).strip().splitlines()[0]
    body = render_to_string(f"members/emails/{template}.txt", context)
    return PortalEmail(subject, body, None, recipients).send()


def send_invitation(invitation, token):
    link = absolute(reverse("members:invitation", kwargs={"token": token}))
    return send("invitation", {"invitation": invitation, "link": link}, [invitation.email])


def organizer_addresses():
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return users.filter(groups__name=ORGANIZERS_GROUP).values_list("email", flat=True).distinct()


def author_addresses(paper):
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    authors = users.filter(Q(member__papers=paper) | Q(member__person__input_papers=paper))
    return authors.values_list("email", flat=True).distinct()


def actor_name(user):
    if user is None:
        return ""
    member = getattr(user, "member", None)
    if member is not None and member.person_id:
        return member.person.name
    return user.get_full_name() or user.get_username()


def notify_transition(event):
    """Authors' steps go to the organizers; organizers' decisions go to the authors."""
    paper = event.paper
    to_organizers = event.to_status in AUTHOR_TARGETS
    context = {
        "paper": paper,
        "event": event,
        "published": event.to_status == PaperStatus.PUBLISHED,
        "paper_link": absolute(reverse("members:paper", kwargs={"pk": paper.pk})),
        "admin_link": absolute(reverse("admin:members_inputpaper_change", args=[paper.pk])),
        "to_organizers": to_organizers,
        "actor_name": actor_name(event.actor),
    }
    recipients = organizer_addresses() if to_organizers else author_addresses(paper)
    return send("paper_event", context, list(recipients))
