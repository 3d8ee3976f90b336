"""The network's pages: the members' directory, a member's profile, the people panel of the entry and
browse pages, sub-groups (list, page, join, accept, updates, e-mail choice) and the unsubscribe link."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from depository.models import CityType, Theme, ViolenceType
from members.views.common import member_required
from network import directory, services
from network.forms import DeliveryForm, ProfileForm, UpdateForm
from network.models import MembershipStatus, Profile, SubGroup, SubGroupMembership
from people.privacy import Viewer
from places.models import City


def network_required(view):
    """Members and organizers (the network's pages are theirs): a visitor is sent to log in, a
    signed-in user who is neither gets 403. `request.viewer` is their people.privacy.Viewer."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        viewer = Viewer(request.user)
        if not viewer.is_member:
            raise PermissionDenied
        request.viewer = viewer
        return view(request, *args, **kwargs)

    return wrapper


def _cards(profiles, viewer):
    for profile in profiles:
        profile.shown = services.shown_member(viewer, profile.member, hidden=profile.is_hidden)
    return profiles


@require_safe
@network_required
def directory_page(request):
    """The directory, faceted like the depository. Bounded queries whatever the number of people:
    the page's profiles with their terms (5), its count (1) and one per facet (5)."""
    filterset = directory.PeopleFilterSet(request.GET)
    if not filterset.is_valid():
        return render(request, "network/directory.html", {"errors": filterset.errors}, status=400)
    base = Profile.objects.listed_to(request.viewer)
    profiles = directory.filtered(base, filterset).for_cards().order_by("member__person__name", "pk")
    page = Paginator(profiles, directory.PAGE_SIZE).get_page(request.GET.get("page"))
    _cards(page.object_list, request.viewer)
    context = {
        "filterset": filterset,
        "page": page,
        "facets": directory.facet_listing(base, filterset),
        "query_string": request.GET.urlencode(),
        "has_profile": Profile.objects.filter(member__user=request.user).exists(),
    }
    template = "network/directory.html#results" if request.headers.get("HX-Request") else "network/directory.html"
    return render(request, template, context)


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def profile_edit(request):
    profile = services.profile_of(request.member)
    form = ProfileForm(request.POST or None, instance=profile, initial={"organization": request.member.organization})
    if request.method == "POST" and form.is_valid():
        services.save_profile(member=request.member, form=form)
        messages.success(request, _("Your profile is saved."))
        return redirect("network:directory")
    return render(request, "network/profile_form.html", {"form": form}, status=400 if form.errors else 200)


@require_safe
@network_required
def people_panel(request):
    """'People in the network who work on this', as a fragment: the entry page and the browse page
    (filtered by a theme) load it with htmx for members; the terms are the query string's slugs."""
    filterset = directory.PeopleFilterSet(request.GET)
    if not filterset.is_valid():
        return render(request, "network/includes/people_panel.html", {"people": [], "total": 0}, status=400)
    chosen = filterset.chosen()
    ids = {
        key: list(model.objects.filter(slug__in=chosen[name]).values_list("pk", flat=True)) if chosen[name] else []
        for key, name, model in [
            ("themes", "theme", Theme),
            ("city_types", "city_type", CityType),
            ("violence_types", "violence_type", ViolenceType),
            ("cities", "city", City),
        ]
    }
    people, total = services.people_working_on(request.viewer, **ids)
    context = {"people": _people_shown(people, request.viewer), "total": total, "query_string": request.GET.urlencode()}
    return render(request, "network/includes/people_panel.html", context)


def _people_shown(profiles, viewer):
    return [(profile, services.shown_member(viewer, profile.member, hidden=profile.is_hidden)) for profile in profiles]


@require_safe
@network_required
def subgroup_list(request):
    subgroups = SubGroup.objects.select_related("lead__person").annotate(
        member_count=Count("memberships", filter=Q(memberships__status=MembershipStatus.ACCEPTED))
    )
    return render(request, "network/subgroup_list.html", {"subgroups": subgroups})


def get_subgroup(slug):
    return get_object_or_404(
        SubGroup.objects.select_related("lead__person", "lead__organization").prefetch_related(
            "themes", "city_types", "violence_types", "milestones", Prefetch("meetings")
        ),
        slug=slug,
    )


def render_subgroup(request, subgroup, *, update_form=None, status=200):
    viewer = request.viewer
    member = getattr(request.user, "member", None)
    hidden = Profile.objects.filter(member=OuterRef("member_id"), is_hidden=True)
    memberships = list(
        subgroup.memberships.select_related("member__person", "member__organization")
        .annotate(hidden=Exists(hidden))
        .order_by("member__person__name", "pk")
    )
    for membership in memberships:
        membership.shown = services.shown_member(viewer, membership.member, hidden=membership.hidden)
    mine = next((m for m in memberships if member is not None and m.member_id == member.pk), None)
    accepted = [m for m in memberships if m.status == MembershipStatus.ACCEPTED]
    terms = (
        [t.pk for t in subgroup.themes.all()],
        [t.pk for t in subgroup.city_types.all()],
        [t.pk for t in subgroup.violence_types.all()],
    )
    updates = list(subgroup.updates.for_listing().order_by("-posted_at")[:50])
    for update in updates:
        update.shown_author = (
            services.shown_member(viewer, update.author, hidden=update.author_hidden) if update.author else None
        )
    is_accepted = mine is not None and mine.status == MembershipStatus.ACCEPTED
    context = {
        "subgroup": subgroup,
        "lead": services.shown_member(viewer, subgroup.lead) if subgroup.lead else None,
        "members": accepted,
        "requests": [m for m in memberships if m.status == MembershipStatus.REQUESTED]
        if services.may_manage(request.user, subgroup)
        else [],
        "mine": mine,
        "is_member": member is not None,
        "entries": list(services.entries_of(subgroup, terms)[:20]),
        "papers": list(services.papers_of(subgroup, terms, request.user)[:20]),
        "updates": updates,
        "update_form": (update_form or UpdateForm()) if is_accepted else None,
        "delivery_form": DeliveryForm(initial={"delivery": mine.delivery}) if is_accepted else None,
    }
    return render(request, "network/subgroup_detail.html", context, status=status)


@require_safe
@never_cache
@network_required
def subgroup_detail(request, slug):
    return render_subgroup(request, get_subgroup(slug))


def _limited(request, subgroup, limited):
    messages.error(request, _("Too many requests: please try again in an hour."))
    response = redirect(subgroup)
    response.status_code = 303
    return response


@require_POST
@member_required
def subgroup_join(request, slug):
    subgroup = get_object_or_404(SubGroup, slug=slug)
    try:
        membership = services.request_to_join(subgroup=subgroup, member=request.member, language=get_language())
    except services.RateLimited as limited:
        return _limited(request, subgroup, limited)
    if membership.status == MembershipStatus.ACCEPTED:
        messages.success(request, _("You are a member of this sub-group."))
    else:
        messages.success(request, _("You asked to join. The organizers or the sub-group's lead will answer."))
    return redirect(subgroup)


@require_POST
@login_required
def subgroup_accept(request, slug, pk):
    subgroup = get_object_or_404(SubGroup, slug=slug)
    if not services.may_manage(request.user, subgroup):
        raise PermissionDenied
    membership = get_object_or_404(
        SubGroupMembership.objects.select_related("member__person"), subgroup=subgroup, pk=pk
    )
    services.accept(membership=membership)
    messages.success(request, _("Request accepted."))
    return redirect(subgroup)


def _accepted_membership(request, subgroup):
    membership = SubGroupMembership.objects.filter(
        subgroup=subgroup, member=request.member, status=MembershipStatus.ACCEPTED
    ).first()
    if membership is None:
        raise PermissionDenied
    return membership


@require_POST
@member_required
def subgroup_post(request, slug):
    request.viewer = Viewer(request.user)
    subgroup = get_subgroup(slug)
    _accepted_membership(request, subgroup)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        return render_subgroup(request, subgroup, update_form=form, status=400)
    try:
        _update, sent = services.post_update(subgroup=subgroup, author=request.member, text=form.cleaned_data["text"])
    except services.RateLimited as limited:
        return _limited(request, subgroup, limited)
    messages.success(request, _("Update posted and e-mailed to %(count)d member(s).") % {"count": sent})
    return redirect(subgroup)


@require_POST
@member_required
def subgroup_delivery(request, slug):
    subgroup = get_object_or_404(SubGroup, slug=slug)
    membership = _accepted_membership(request, subgroup)
    form = DeliveryForm(request.POST)
    if form.is_valid():
        services.set_delivery(membership=membership, delivery=form.cleaned_data["delivery"], language=get_language())
        messages.success(request, _("Your choice is saved."))
    return redirect(subgroup)


@csrf_exempt  # the signed token is the credential; mail clients POST it for one-click unsubscribe (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Works without logging in. GET asks (mail scanners follow links); POST stops the e-mails."""
    try:
        signing.loads(token, salt=services.UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "alerts/link_invalid.html", {"expired": False}, status=400)
    if request.method == "POST":
        count = services.unsubscribe(token)
        return render(request, "network/unsubscribed.html", {"count": count})
    return render(request, "network/unsubscribe.html", {"token": token})
