"""The network's workflows: profiles, finding people, sub-group memberships and updates, and their
e-mails, which follow the alerts' rules (alerts/services.py): every message a `core.mail.PortalEmail`
in the recipient's language with a signed unsubscribe link that works without logging in, also
offered as the `List-Unsubscribe` and `List-Unsubscribe-Post` headers (RFC 2369, RFC 8058); digests
claimed before they are sent (at most once); writes that send e-mail limited by `core.ratelimits`.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core import ratelimits
from core.mail import PortalEmail
from core.roles import is_organizer
from depository.models import Entry, Theme
from members.models import InputPaper, PaperStatus
from network.models import Delivery, MembershipStatus, Profile, SubGroupMembership, SubGroupUpdate
from people.privacy import ShownPerson, Viewer

UNSUBSCRIBE_SALT = "network.unsubscribe"
# People listed on an entry's, a theme's or a city's page; the directory link lists them all.
PANEL_LIMIT = 12


class RateLimited(Exception):
    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after


# --- profiles and the people who work on something -------------------------------------------------


@transaction.atomic
def save_profile(*, member, form):
    """Save the member's profile form (its terms, and the organization on the member account)."""
    profile = form.save(commit=False)
    profile.member = member
    profile.full_clean()
    profile.save()
    form.save_m2m()
    member.organization = form.cleaned_data.get("organization")
    member.full_clean()
    member.save(update_fields=["organization"])
    return profile


def profile_of(member):
    return Profile.objects.filter(member=member).first() or Profile(member=member)


def people_working_on(viewer, *, themes=(), city_types=(), violence_types=(), cities=(), limit=PANEL_LIMIT):
    """The profiles `viewer` may see that carry any of the terms (term ids; a theme's sub-themes count
    for it), by name: (the first `limit`, how many in all). Two queries."""
    links = Q()
    if themes:
        theme_ids = Theme.objects.filter(Q(pk__in=themes) | Q(parent_id__in=themes)).values("pk")
        links |= Q(Exists(Profile.themes.through.objects.filter(profile_id=OuterRef("pk"), theme_id__in=theme_ids)))
    for ids, through, column in [
        (city_types, Profile.city_types.through, "citytype_id"),
        (violence_types, Profile.violence_types.through, "violencetype_id"),
        (cities, Profile.cities.through, "city_id"),
    ]:
        if ids:
            links |= Q(Exists(through.objects.filter(profile_id=OuterRef("pk"), **{f"{column}__in": ids})))
    if not links:
        return [], 0
    profiles = Profile.objects.listed_to(viewer).filter(links)
    listed = list(
        profiles.select_related("member__person", "member__organization").order_by("member__person__name")[:limit]
    )
    total = len(listed) if len(listed) < limit else profiles.count()
    return listed, total


def shown_member(viewer, member, *, hidden=False):
    """A member as `viewer` may see them (people/privacy.py), on the sub-group pages. A member whose
    profile is hidden, or with no person, is named to organizers only."""
    person = member.person
    if person is None or (hidden and not viewer.is_organizer):
        named = viewer.is_organizer
        return ShownPerson(name=str(member) if named else "", title="", organization=None, named=named)
    return viewer.show(person, organization=member.organization)


# --- sub-groups ------------------------------------------------------------------------------------


def may_manage(user, subgroup):
    """Organizers and the sub-group's lead accept requests to join."""
    return is_organizer(user) or subgroup.is_led_by(getattr(user, "member", None))


def request_to_join(*, subgroup, member, language):
    """Ask to join (again: nothing changes). The lead is accepted at once. Returns the membership."""
    hit = ratelimits.hit("network_join:member", str(member.pk), settings.NETWORK_JOIN_RATE)
    if hit.limited:
        raise RateLimited(hit.retry_after)
    now = timezone.now()
    lead = subgroup.is_led_by(member)
    membership, _created = SubGroupMembership.objects.get_or_create(
        subgroup=subgroup,
        member=member,
        defaults={
            "status": MembershipStatus.ACCEPTED if lead else MembershipStatus.REQUESTED,
            "accepted_at": now if lead else None,
            "language": language,
        },
    )
    return membership


def accept(*, membership):
    """Accept a request to join (again: nothing changes)."""
    if membership.status != MembershipStatus.ACCEPTED:
        membership.status = MembershipStatus.ACCEPTED
        membership.accepted_at = timezone.now()
        membership.full_clean()
        membership.save(update_fields=["status", "accepted_at"])
    return membership


def entries_of(subgroup, terms):
    """Published entries carrying any of the sub-group's terms, newest first (a QuerySet)."""
    themes, city_types, violence_types = terms
    if not (themes or city_types or violence_types):
        return Entry.objects.none()
    theme_ids = Theme.objects.filter(Q(pk__in=themes) | Q(parent_id__in=themes)).values("pk")
    carries = Q()
    for through, column, ids, given in [
        (Entry.themes.through, "theme_id", theme_ids, themes),  # a subquery: tested by `given`, not evaluated
        (Entry.city_types.through, "citytype_id", city_types, city_types),
        (Entry.violence_types.through, "violencetype_id", violence_types, violence_types),
    ]:
        if given:
            carries |= Q(Exists(through.objects.filter(entry_id=OuterRef("pk"), **{f"{column}__in": ids})))
    return Entry.objects.published().filter(carries).order_by("-published_at")


def papers_of(subgroup, terms, user):
    """Input papers carrying any of the sub-group's terms that `user` may see: published ones, and the
    user's own (or every one, for organizers) while in progress."""
    themes, city_types, violence_types = terms
    carries = Q()
    if themes:
        carries |= Q(themes__in=themes)
    if city_types:
        carries |= Q(city_types__in=city_types)
    if violence_types:
        carries |= Q(violence_types__in=violence_types)
    if not carries:
        return InputPaper.objects.none()
    visible = Q(status=PaperStatus.PUBLISHED) | Q(pk__in=InputPaper.objects.visible_to(user).values("pk"))
    ids = InputPaper.objects.filter(carries).values("pk")
    return InputPaper.objects.filter(visible, pk__in=ids).select_related("entry").order_by("-updated_at")


def post_update(*, subgroup, author, text):
    """Post an update (an accepted member's) and e-mail it at once to the members who chose so.
    Returns (the update, the number of e-mails sent)."""
    hit = ratelimits.hit("network_update:member", str(author.pk), settings.NETWORK_UPDATE_RATE)
    if hit.limited:
        raise RateLimited(hit.retry_after)
    update = SubGroupUpdate(subgroup=subgroup, author=author, text=text)
    update.full_clean()
    update.save()
    update.author_hidden = Profile.objects.filter(member=author, is_hidden=True).exists()
    recipients = (
        SubGroupMembership.objects.filter(
            subgroup=subgroup, status=MembershipStatus.ACCEPTED, delivery=Delivery.IMMEDIATE
        )
        .exclude(member=author)
        .exclude(member__user__email="")
        .filter(member__user__is_active=True)
        .select_related("member__user")
    )
    sent = sum(_send(membership, [update], "network/emails/update") for membership in recipients)
    return update, sent


def set_delivery(*, membership, delivery, language):
    membership.delivery, membership.language = delivery, language
    membership.full_clean()
    membership.save(update_fields=["delivery", "language"])


def unsubscribe_token(membership):
    return signing.dumps({"m": membership.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe(token):
    """Stop the e-mails of the membership the token names (its membership stays). Returns 1 if it
    received e-mails until now, else 0. Raises signing.BadSignature for a token that is not ours."""
    payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return (
        SubGroupMembership.objects.filter(pk=payload["m"])
        .exclude(delivery=Delivery.NONE)
        .update(delivery=Delivery.NONE)
    )


def send_digests(*, now=None):
    """E-mail each member who chose the digest the updates of their sub-group since their last digest
    (or their acceptance), once that is NETWORK_DIGEST_DAYS old; nothing new, no e-mail. Returns the
    number of e-mails sent.

    At most once, like the alerts' digests: a membership's mark (`digested_until`) is moved by one
    conditional UPDATE, committed before the e-mail goes out; a second run, or another worker at the
    same moment, finds it moved and sends nothing. A crash between the two loses one digest, never
    sends it twice. Run it daily from cron: `manage.py send_subgroup_digests`."""
    now = now or timezone.now()
    due_before = now - datetime.timedelta(days=settings.NETWORK_DIGEST_DAYS)
    sent = 0
    memberships = (
        SubGroupMembership.objects.filter(status=MembershipStatus.ACCEPTED, delivery=Delivery.DIGEST)
        .filter(Q(digested_until__lte=due_before) | Q(digested_until__isnull=True, accepted_at__lte=due_before))
        .exclude(member__user__email="")
        .filter(member__user__is_active=True)
        .select_related("member__user", "subgroup")
    )
    for membership in memberships:
        since = membership.digested_until or membership.accepted_at
        updates = list(
            SubGroupUpdate.objects.filter(subgroup=membership.subgroup_id, posted_at__gt=since, posted_at__lte=now)
            .exclude(author=membership.member_id)
            .for_listing()
            .order_by("posted_at")
        )
        if not updates:
            continue
        with transaction.atomic():
            claimed = (
                SubGroupMembership.objects.filter(pk=membership.pk, digested_until=membership.digested_until)
                if membership.digested_until
                else SubGroupMembership.objects.filter(pk=membership.pk, digested_until__isnull=True)
            )
            if not claimed.update(digested_until=now):
                continue
        sent += _send(membership, updates, "network/emails/digest")
    return sent


def _send(membership, updates, template):
    """One e-mail to the membership's member: the update(s), with the one-click unsubscribe link."""
    user = membership.member.user
    subgroup = membership.subgroup
    unsubscribe_link = settings.SITE_URL + reverse(
        "network:unsubscribe", kwargs={"token": unsubscribe_token(membership)}
    )
    context = {
        "subgroup": subgroup,
        "updates": updates,
        "page_link": settings.SITE_URL + subgroup.get_absolute_url(),
        "unsubscribe_link": unsubscribe_link,
    }
    viewer = Viewer(user)
    for update in updates:
        update.shown_author = (
            shown_member(viewer, update.author, hidden=update.author_hidden) if update.author else None
        )
    with translation.override(membership.language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = PortalEmail(
        subject,
        text,
        None,
        [user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    return message.send()
