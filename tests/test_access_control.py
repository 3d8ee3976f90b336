"""Every URL pattern of the project, requested as every role, against an explicit table of what each role gets.

The table names each pattern by its route. A pattern without a row fails `test_every_url_pattern_has_a_row`,
so a URL added later cannot escape. Admin pages are checked by rule (kind of page x app of the model), for
every registered model, on a real object of that model.
"""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from taggit.models import Tag

from alerts import services as alert_services
from alerts.models import Digest, SavedSearch
from depository.models import EntryImport, GlossaryTerm, InternalTag, ReferenceImport
from depository.spreadsheets import EntryResource
from depository.tasks import extract_attachment_text
from harvest.models import HarvestCandidate, HarvestRun, LinkCheck, Provenance, Source
from meetings.models import (
    Event,
    EventKind,
    Meeting,
    Milestone,
    MilestoneChange,
    Participation,
    ProgrammeSession,
    ProgressReview,
    Registration,
)
from members.models import Answer, Member, Question
from members.services.invitations import invite_member
from network import services as network_services
from network.models import MembershipStatus, SubGroup, SubGroupMembership, SubGroupUpdate
from people.models import Organization, Person
from places.models import City
from tests.depository_helpers import attach, make_entry
from tests.members_helpers import client_for, make_paper, post_upload
from tests.network_helpers import make_profile
from usage.models import MonthlyUsage

ROLES = ["anonymous", "member", "second_member", "organizer", "superuser"]

# What a role gets: a status code, or a redirect checked by its destination.
LOGIN = "302 to the members' login"
ADMIN_LOGIN = "302 to the admin login"
REDIRECT = "302 elsewhere"
OK, REFUSED, NOT_FOUND, NOT_ALLOWED, GONE, BAD = 200, 403, 404, 405, 410, 400
MOVED = 301


def everyone(outcome):
    return (outcome,) * len(ROLES)


PUBLIC = everyone(OK)
STAFF_ONLY_ADMIN = (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, OK, OK)
# An unpublished thing of the first member's: the member and the organizers see it, nobody else may know it exists.
MEMBERS_OWN = (NOT_FOUND, OK, NOT_FOUND, OK, OK)
STAFF_PREVIEW = (NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK)


def walk_routes(patterns=None, prefix=""):
    """Every URL pattern of the project as its full route, the admin's and the included apps' too."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern).removeprefix("^") if prefix else str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += walk_routes(pattern.url_patterns, route)
        else:
            routes.append(route)
    return routes


def route_of(url):
    return resolve(url.split("?", 1)[0]).route


@pytest.fixture
def world(db, media_roots, member, second_member, organizer, superuser):
    """Real objects of every kind, published and not, owned by the first member and by the second."""
    published = make_entry(
        "A published practice", tags=["safety"], themes=["prevention"], city_types=["capital"], violence_types=["gang"]
    )
    public_file = attach(published, name="published.pdf")
    hidden_file = attach(published, name="internal-notes.pdf", is_public=False)
    MonthlyUsage.objects.create(entry=published, month=datetime.date(2026, 1, 1), views=3, downloads=1)
    draft = make_entry("A draft entry nobody outside staff may see", status="draft", cities=["bogota"])
    draft_file = attach(draft, name="draft.pdf")
    GlossaryTerm.objects.create(term="Peacebuilding", slug="peacebuilding", definition="Building peace.")

    organization = Organization.objects.create(name="UN-Habitat", slug="un-habitat")
    meeting = Meeting.objects.create(
        name="Inception meeting", slug="inception", status="held", start_date=datetime.date(2025, 3, 4)
    )
    ProgrammeSession.objects.create(meeting=meeting, title="Opening", date=meeting.start_date)
    person = Person.objects.create(name="Juma Assiago", slug="juma-assiago")
    Participation.objects.create(meeting=meeting, person=person, organization=organization)
    # People who asked that only members, or only organizers, see their names (people/privacy.py).
    for name, disclosure in [("Mariam Members-Only", "members"), ("Oskar Organizers-Only", "organizers")]:
        shy = Person.objects.create(name=name, slug=name.lower(), disclosure=disclosure)
        Participation.objects.create(meeting=meeting, person=shy, organization=organization, title="Adviser")
    milestone = Milestone.objects.create(title="Workplan", slug="workplan", meeting=meeting)
    # Issue 24: a progress review (an organizers-only person took part) and the first member's registration
    # with needs and a support request nobody else may read.
    review = ProgressReview.objects.create(held_on=datetime.date(2025, 4, 1))
    review.participants.add(Person.objects.get(name="Oskar Organizers-Only"))
    MilestoneChange.objects.create(review=review, milestone=milestone, status="in_progress")
    registration = Registration.objects.create(
        user=member.user,
        person=member.person,
        meeting=meeting,
        needs="Halal meals, a hearing loop",
        support_status="requested",
        support_justification="No budget for travel this year",
    )

    paper = make_paper(member, title="Amina's draft paper")
    assert post_upload(client_for(member.user), paper).status_code == 302
    others_paper = make_paper(second_member, title="Bruno's draft paper")
    assert post_upload(client_for(second_member.user), others_paper).status_code == 302

    question = Question.objects.create(text="What works?", is_public=True, meeting=meeting)
    draft_question = Question.objects.create(text="Not yet asked?", is_public=False)
    Answer.objects.create(question=question, member=second_member, text="Private answer")
    _, token = invite_member(email="new@example.org", invited_by=organizer, name="New Member")

    extract_attachment_text.enqueue(draft_file.pk)  # a queued task, as an upload leaves one
    AccessAttempt.objects.create(username="x", ip_address="203.0.113.9", user_agent="t", failures_since_start=1)
    AccessLog.objects.create(username="x", ip_address="203.0.113.9", user_agent="t")
    AccessFailureLog.objects.create(username="x", ip_address="203.0.113.9", user_agent="t")
    forgetful = get_user_model().objects.create_user("carla", email="carla@example.org")
    reference_import = ReferenceImport.objects.create(file_name="zotero.ris", format="ris", status="done")
    source = Source.objects.create(kind="zotero", name="Library", zotero_library_type="groups", zotero_library_id="1")
    run = HarvestRun.objects.create(source=source, status="done")
    HarvestCandidate.objects.create(run=run, source=source, kind="new", upstream_id="ABCD", title="Harvested")
    Provenance.objects.create(entry=draft, source=source, upstream_id="EFGH")
    LinkCheck.objects.create(entry=draft, url="https://example.org/gone", status="failed", status_code=404)
    proposed = Tag.objects.get_or_create(name="proposed", slug="proposed")[0]
    InternalTag.objects.create(tag=proposed, note="not yet written")
    event = Event.objects.create(
        name="Executive course", slug="executive-course", kind=EventKind.COURSE, start_date=datetime.date(2027, 3, 1)
    )
    city = City.objects.get_or_create(slug="bogota", defaults={"name": "Bogotá", "country": "Colombia"})[0]
    large_import = EntryImport.objects.create(
        file_name="entries.csv", file_format="csv", data=b"title\nA\n", row_count=1
    )
    alert = SavedSearch.objects.create(email=member.user.email, user=member.user, query_string="q=safety")
    Digest.objects.create(
        saved_search=alert, period_start=datetime.date(2026, 1, 5), period_end=datetime.date(2026, 1, 12)
    )
    confirm_token = signing.dumps(
        {"email": "visitor@example.org", "q": "q=safety", "f": "weekly", "l": "en"}, salt=alert_services.CONFIRM_SALT
    )
    # The network (issue 24): profiles of the first member and of the shy people (given accounts), a
    # sub-group led by the first member with the shy ones in it and the second member asking to join.
    make_profile(member, themes=["prevention"], cities=["bogota"], role="Adviser")
    subgroup = SubGroup.objects.create(
        name="Prevention", slug="prevention", purpose="Prevention in cities.", lead=member
    )
    subgroup.themes.add(published.themes.first())
    subgroup.milestones.add(Milestone.objects.get(slug="workplan"))
    for username, shy in [("mariam", "mariam members-only"), ("oskar", "oskar organizers-only")]:
        account = get_user_model().objects.create_user(username, email=f"{username}@example.org")
        shy_member = Member.objects.create(user=account, person=Person.objects.get(slug=shy), organization=organization)
        make_profile(shy_member, themes=["prevention"], cities=["bogota"], role="Adviser")
        SubGroupMembership.objects.create(
            subgroup=subgroup, member=shy_member, status=MembershipStatus.ACCEPTED, accepted_at=published.published_at
        )
        SubGroupUpdate.objects.create(subgroup=subgroup, author=shy_member, text=f"News from {username}")
    lead = SubGroupMembership.objects.create(
        subgroup=subgroup, member=member, status=MembershipStatus.ACCEPTED, accepted_at=published.published_at
    )
    asking = SubGroupMembership.objects.create(subgroup=subgroup, member=second_member)
    # The member's second registration, which the member's own row withdraws (the first stays for the admin).
    withdrawable = Registration.objects.create(user=member.user, person=member.person, event=event)
    return {
        "subgroup": subgroup,
        "asking": asking,
        "network_token": network_services.unsubscribe_token(lead),
        "withdrawable": withdrawable,
        "reference_import": reference_import,
        "event": event,
        "city": city,
        "large_import": large_import,
        "alert": alert,
        "confirm_token": confirm_token,
        "forgetful": forgetful,
        "published": published,
        "public_file": public_file,
        "hidden_file": hidden_file,
        "draft": draft,
        "draft_file": draft_file,
        "meeting": meeting,
        "organization": organization,
        "paper": paper,
        "others_paper": others_paper,
        "question": question,
        "draft_question": draft_question,
        "registration": registration,
        "token": token,
        "member": member,
        "second_member": second_member,
    }


def site_rows(world):
    """(method, url, outcomes for ROLES): the portal's own pages."""
    published, draft, meeting, paper = world["published"], world["draft"], world["meeting"], world["paper"]
    others = world["others_paper"]
    user = world["forgetful"]  # logs in as no role: logging in would spend the link
    reset = reverse(
        "members:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    member_only = (LOGIN, OK, OK, REFUSED, REFUSED)  # member_required: organizers without a member profile get 403
    return [
        ("get", reverse("home"), PUBLIC),
        ("get", reverse("about"), PUBLIC),
        ("get", reverse("healthz"), PUBLIC),
        ("get", reverse("sitemap"), PUBLIC),
        ("get", reverse("robots"), PUBLIC),
        ("get", "/favicon.ico", everyone(301)),  # to the static icon, for every page the admin's included
        # Cities and the map (places): public.
        ("get", reverse("places:cities"), PUBLIC),
        ("get", reverse("places:map"), PUBLIC),
        ("get", reverse("places:city", args=[world["city"].slug]), PUBLIC),
        # Events: public pages and calendars; registering interest is for members (organizers count as such).
        ("get", reverse("meetings:event", args=[world["event"].slug]), PUBLIC),
        ("get", reverse("meetings:event_ics", args=[world["event"].slug]), PUBLIC),
        ("post", reverse("meetings:event_interest", args=[world["event"].slug]), (LOGIN, *(REDIRECT,) * 4)),
        # Registration (issue 24): members only (accounts without a member profile: not found); the meeting
        # is held and the event has no registration window, so a member is refused with a 403.
        ("get", reverse("meetings:register", args=[meeting.slug]), everyone(NOT_ALLOWED)),
        ("post", reverse("meetings:register", args=[meeting.slug]), (LOGIN, REFUSED, REFUSED, NOT_FOUND, NOT_FOUND)),
        (
            "post",
            reverse("meetings:event_register", args=[world["event"].slug]),
            (LOGIN, REFUSED, REFUSED, NOT_FOUND, NOT_FOUND),
        ),
        ("get", reverse("meetings:registration_withdraw", args=[world["registration"].pk]), everyone(NOT_ALLOWED)),
        ("post", reverse("set_language"), everyone(REDIRECT), {"language": "fr", "next": "/"}),
        # Depository: published for everyone; drafts, their files and non-public files for staff only.
        ("get", reverse("depository:browse") + "?q=safety", PUBLIC),
        ("get", reverse("depository:pack"), PUBLIC),
        ("get", reverse("depository:feed"), PUBLIC),
        ("get", reverse("depository:literature"), PUBLIC),
        ("get", reverse("depository:literature-export", args=["ris"]), PUBLIC),
        ("get", reverse("depository:literature-export", args=["csv"]), PUBLIC),
        ("get", reverse("depository:typology"), PUBLIC),
        ("get", reverse("depository:glossary"), PUBLIC),
        ("get", published.get_absolute_url(), PUBLIC),
        ("get", draft.get_absolute_url(), STAFF_PREVIEW),
        ("get", reverse("depository:cite", args=[published.slug, "bib"]), PUBLIC),
        ("get", reverse("depository:cite", args=[draft.slug, "ris"]), STAFF_PREVIEW),
        ("get", reverse("depository:attachment", args=[published.slug, world["public_file"].pk]), PUBLIC),
        ("get", reverse("depository:attachment", args=[published.slug, world["hidden_file"].pk]), STAFF_PREVIEW),
        ("get", reverse("depository:attachment", args=[draft.slug, world["draft_file"].pk]), STAFF_PREVIEW),
        # OAI-PMH and the JSON API: published entries only, whoever asks (docs/oai-and-api.md).
        ("get", reverse("oai") + "?verb=ListRecords&metadataPrefix=oai_dc", PUBLIC),
        ("get", reverse("api:index"), PUBLIC),
        ("get", reverse("api:openapi-json"), PUBLIC),
        ("get", reverse("api:entries"), PUBLIC),
        ("get", reverse("api:entry", args=[published.slug]), PUBLIC),
        ("get", reverse("api:entry", args=[draft.slug]), everyone(NOT_FOUND)),
        ("get", reverse("api:meetings"), PUBLIC),
        ("get", reverse("api:glossary"), PUBLIC),
        ("get", reverse("api:vocabularies"), PUBLIC),
        # Meetings: public pages (the participants' privacy is tests/test_meetings_privacy.py).
        ("get", reverse("meetings:list"), PUBLIC),
        ("get", reverse("meetings:calendar"), PUBLIC),
        ("get", reverse("meetings:workplan"), PUBLIC),
        ("get", reverse("meetings:organizations"), PUBLIC),
        ("get", reverse("meetings:organization", args=[world["organization"].slug]), PUBLIC),
        ("get", reverse("meetings:ics", args=[meeting.slug]), PUBLIC),
        ("get", reverse("meetings:detail", args=[meeting.slug]), PUBLIC),
        # Members: log-in pages are public; the dashboard and papers need a log-in; papers are their authors'.
        ("get", reverse("members:dashboard"), (LOGIN, OK, OK, OK, OK)),
        ("get", reverse("members:invitation", args=[world["token"]]), PUBLIC),
        ("get", reverse("members:invitation", args=["not-a-token"]), everyone(NOT_FOUND)),
        ("get", reverse("members:login"), PUBLIC),
        ("get", reverse("members:logout"), everyone(NOT_ALLOWED)),
        ("post", reverse("members:logout"), everyone(REDIRECT)),
        ("get", reverse("members:password_change"), (LOGIN, OK, OK, OK, OK)),
        ("get", reverse("members:password_change_done"), (LOGIN, OK, OK, OK, OK)),
        ("get", reverse("members:password_reset"), PUBLIC),
        ("get", reverse("members:password_reset_done"), PUBLIC),
        ("get", reset, everyone(REDIRECT)),
        ("get", reverse("members:password_reset_complete"), PUBLIC),
        ("get", reverse("members:paper_create"), member_only),
        ("get", reverse("members:paper", args=[paper.pk]), (LOGIN, OK, NOT_FOUND, OK, OK)),
        ("get", reverse("members:paper", args=[others.pk]), (LOGIN, NOT_FOUND, OK, OK, OK)),
        # Only the paper's authors change it: 404 for another member, 403 for organizers (no member profile).
        ("get", reverse("members:paper_edit", args=[paper.pk]), (LOGIN, OK, NOT_FOUND, REFUSED, REFUSED)),
        ("get", reverse("members:paper_upload", args=[paper.pk]), everyone(NOT_ALLOWED)),
        ("post", reverse("members:paper_upload", args=[paper.pk]), (LOGIN, BAD, NOT_FOUND, REFUSED, REFUSED)),
        ("post", reverse("members:paper_upload", args=[others.pk]), (LOGIN, NOT_FOUND, BAD, REFUSED, REFUSED)),
        ("get", reverse("members:paper_file", args=[paper.pk, 1]), MEMBERS_OWN),
        ("get", reverse("members:paper_file", args=[others.pk, 1]), (NOT_FOUND, NOT_FOUND, OK, OK, OK)),
        ("get", reverse("members:paper_transition", args=[paper.pk, "submit"]), everyone(NOT_ALLOWED)),
        (
            "post",
            reverse("members:paper_transition", args=[paper.pk, "submit"]),
            (LOGIN, REDIRECT, NOT_FOUND, REFUSED, REFUSED),
        ),
        ("get", reverse("members:questions"), PUBLIC),
        # Alerts: anyone may ask for one; the signed links work without logging in.
        ("get", reverse("alerts:subscribe") + "?q=safety", PUBLIC),
        ("get", reverse("alerts:mine"), (LOGIN, OK, OK, OK, OK)),
        ("get", reverse("alerts:confirm", args=[world["confirm_token"]]), PUBLIC),
        ("get", reverse("alerts:confirm", args=["not-a-token"]), everyone(BAD)),
        (
            "get",
            reverse("alerts:unsubscribe", args=[alert_services.unsubscribe_token(saved_search=world["alert"])]),
            PUBLIC,
        ),
        ("get", reverse("alerts:unsubscribe", args=["not-a-token"]), everyone(BAD)),
        # The network (issue 24): members and organizers only; a profile is a member's own; joining and
        # posting are a member's, accepting the lead's (the first member) or the organizers'.
        ("get", reverse("network:directory") + "?theme=prevention", (LOGIN, OK, OK, OK, OK)),
        ("get", reverse("network:directory") + "?theme=<x>", (LOGIN, BAD, BAD, BAD, BAD)),
        ("get", reverse("network:profile"), member_only),
        ("get", reverse("network:people") + "?theme=prevention&city=bogota", (LOGIN, OK, OK, OK, OK)),
        ("get", reverse("network:subgroups"), (LOGIN, OK, OK, OK, OK)),
        ("get", world["subgroup"].get_absolute_url(), (LOGIN, OK, OK, OK, OK)),
        (
            "get",
            reverse("network:subgroup", args=["no-such-group"]),
            (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
        ),
        ("get", reverse("network:join", args=["prevention"]), everyone(NOT_ALLOWED)),
        ("post", reverse("network:join", args=["prevention"]), (LOGIN, REDIRECT, REDIRECT, REFUSED, REFUSED)),
        (
            "post",
            reverse("network:accept", args=["prevention", world["asking"].pk]),
            (LOGIN, REDIRECT, REFUSED, REDIRECT, REDIRECT),
        ),
        (
            "post",
            reverse("network:post", args=["prevention"]),
            (LOGIN, REDIRECT, REFUSED, REFUSED, REFUSED),
            {"text": "An update"},
        ),
        (
            "post",
            reverse("network:delivery", args=["prevention"]),
            (LOGIN, REDIRECT, REFUSED, REFUSED, REFUSED),
            {"delivery": "digest"},
        ),
        ("get", reverse("network:unsubscribe", args=[world["network_token"]]), PUBLIC),
        ("get", reverse("network:unsubscribe", args=["not-a-token"]), everyone(BAD)),
        ("get", reverse("members:answer", args=[world["question"].pk]), member_only),
        (
            "get",
            reverse("members:answer", args=[world["draft_question"].pk]),
            (LOGIN, NOT_FOUND, NOT_FOUND, REFUSED, REFUSED),
        ),
        # The member's own withdrawal deletes their (second) registration.
        (
            "post",
            reverse("meetings:registration_withdraw", args=[world["withdrawable"].pk]),
            (LOGIN, REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND),
        ),
    ]


# The Organizers group curates these apps (all rights) and may view user accounts; nothing else in the admin.
ORGANIZER_APPS = {"places", "people", "depository", "meetings", "members", "network", "taggit", "harvest"}
# The use statistics are written by the software only: organizers (and superusers) read them.
ORGANIZER_VIEW_ONLY = {"auth.user", "usage.monthlyusage"}
# Admins that refuse a kind of page to everyone, superusers included (logs are written by the software only).
NOBODY = {
    ("axes.accessattempt", "add"),
    ("axes.accesslog", "add"),
    ("axes.accessfailurelog", "add"),
    ("django_tasks_database.dbtaskresult", "add"),
    ("django_tasks_database.dbtaskresult", "delete"),
    ("usage.monthlyusage", "add"),
    ("usage.monthlyusage", "delete"),
    # Paper versions are listed (extraction problems) but only members' uploads add them, and they are kept.
    ("members.paperversion", "add"),
    ("members.paperversion", "delete"),
    ("alerts.digest", "add"),  # the record of what the digest task sent
    ("depository.entryimport", "add"),  # made by uploading a large file to the entries' import
    # Harvest runs, candidates and provenance are written by the harvest; organizers decide on candidates.
    ("harvest.harvestrun", "add"),
    ("harvest.harvestcandidate", "add"),
    ("harvest.provenance", "add"),
    ("meetings.registration", "add"),  # members register from the meeting's or the event's page
    ("harvest.linkcheck", "add"),  # written by manage.py check_links
}


def admin_outcome(label, kind):
    """What the organizer and the superuser get on a standard admin page of a model."""
    if (label, kind) in NOBODY:
        return REFUSED, REFUSED
    if kind == "object":  # /admin/<app>/<model>/<id>/ only redirects to the change page
        return REDIRECT, REDIRECT
    if label.split(".")[0] in ORGANIZER_APPS:
        organizer = OK
    elif label in ORGANIZER_VIEW_ONLY:
        organizer = OK if kind in {"changelist", "change", "history"} else REFUSED
    else:
        organizer = REFUSED
    return organizer, OK


# The entry export's form, as the admin's "Export" button posts it: CSV, every column.
ENTRY_EXPORT = {
    "resource": "0",
    "format": "0",
    **{f"entryresource_{name}": "on" for name in EntryResource._meta.fields},
}


def admin_rows(world):
    rows = []
    for model in admin.site._registry:
        label = model._meta.label_lower
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"the fixture holds no {label}: add one so its admin pages are checked"
        info = model._meta.app_label, model._meta.model_name
        pages = {
            "changelist": reverse("admin:{}_{}_changelist".format(*info)),
            "add": reverse("admin:{}_{}_add".format(*info)),
            "change": reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
            "delete": reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]),
            "history": reverse("admin:{}_{}_history".format(*info), args=[obj.pk]),
            "object": reverse("admin:{}_{}_changelist".format(*info)) + f"{obj.pk}/",
        }
        for kind, url in pages.items():
            rows.append(("get", url, (ADMIN_LOGIN,) * 3 + admin_outcome(label, kind)))
    app_labels = {model._meta.app_label for model in admin.site._registry}
    for app_label in sorted(app_labels):
        # The admin answers 404 for an app with no model the user may see.
        organizer = OK if app_label in ORGANIZER_APPS or app_label in {"auth", "usage"} else NOT_FOUND
        rows.append(("get", reverse("admin:app_list", args=[app_label]), (ADMIN_LOGIN,) * 3 + (organizer, OK)))

    entry, meeting, paper, user = world["draft"], world["meeting"], world["paper"], world["member"].user
    content_type = ContentType.objects.get_for_model(entry)
    rows += [
        ("get", reverse("admin:index"), STAFF_ONLY_ADMIN),
        ("get", reverse("admin:login"), (OK, OK, OK, REDIRECT, REDIRECT)),
        # The admin sends whoever is not staff from its log-out to its index (and so to its log-in);
        # staff log out with a POST only, then land on the home page (LOGOUT_REDIRECT_URL).
        ("get", reverse("admin:logout"), (REDIRECT, REDIRECT, REDIRECT, NOT_ALLOWED, NOT_ALLOWED)),
        ("post", reverse("admin:logout"), everyone(REDIRECT)),
        ("get", reverse("admin:password_change"), STAFF_ONLY_ADMIN),
        ("get", reverse("admin:password_change_done"), STAFF_ONLY_ADMIN),
        (
            "get",
            reverse("admin:autocomplete") + "?app_label=depository&model_name=entry&field_name=themes&term=pre",
            STAFF_ONLY_ADMIN,
        ),
        ("get", reverse("admin:jsi18n"), STAFF_ONLY_ADMIN),
        (
            "get",
            reverse("admin:view_on_site", args=[content_type.pk, entry.pk]),
            STAFF_ONLY_ADMIN[:3] + (REDIRECT, REDIRECT),
        ),
        ("get", "/admin/no-such-page/", (ADMIN_LOGIN,) * 3 + (NOT_FOUND, NOT_FOUND)),
        # Admin addresses of models that moved to the people and places apps (issue 19): a permanent
        # redirect for anybody; the new address then checks the visitor's rights.
        ("get", "/admin/meetings/person/", everyone(MOVED)),
        ("get", "/admin/depository/city/add/", everyone(MOVED)),
        ("get", reverse("admin:auth_user_password_change", args=[user.pk]), (ADMIN_LOGIN,) * 3 + (REFUSED, OK)),
        # Staff exports, imports and decisions: organizers and superusers only.
        ("get", reverse("admin:depository_entry_export"), STAFF_ONLY_ADMIN),
        ("post", reverse("admin:depository_entry_export"), STAFF_ONLY_ADMIN, ENTRY_EXPORT),
        ("get", reverse("admin:depository_entry_import"), STAFF_ONLY_ADMIN),
        ("get", reverse("admin:depository_entry_process_import"), (ADMIN_LOGIN,) * 3 + (NOT_ALLOWED, NOT_ALLOWED)),
        (
            "get",
            reverse("admin:depository_entryimport_confirm", args=[world["large_import"].pk]),
            (ADMIN_LOGIN,) * 3 + (NOT_ALLOWED, NOT_ALLOWED),
        ),
        (
            "get",
            reverse("admin:depository_entry_attachment_download", args=[entry.pk, world["draft_file"].pk]),
            STAFF_ONLY_ADMIN,
        ),
        ("get", reverse("admin:meetings_meeting_import_participants", args=[meeting.pk]), STAFF_ONLY_ADMIN),
        ("get", reverse("admin:meetings_meeting_export_participants", args=[meeting.pk]), STAFF_ONLY_ADMIN),
        ("get", reverse("admin:members_inputpaper_decide", args=[paper.pk]), STAFF_ONLY_ADMIN),
        ("get", reverse("admin:taggit_tag_merge_tags"), STAFF_ONLY_ADMIN),
        # A harvest run's progress (the source's page reads it while the run goes on).
        (
            "get",
            reverse("admin:harvest_harvestrun_progress", args=[HarvestRun.objects.order_by("pk").first().pk]),
            STAFF_ONLY_ADMIN,
        ),
        (
            "post",
            reverse("admin:depository_referenceimport_confirm", args=[world["reference_import"].pk]),
            (ADMIN_LOGIN,) * 3 + (REDIRECT, REDIRECT),
        ),
        # Classifying (issue 21): the action's form, and accepting an entry's suggested terms (POST only).
        (
            "post",
            reverse("admin:depository_entry_changelist"),
            STAFF_ONLY_ADMIN,
            {"action": "classify", "_selected_action": [entry.pk]},
        ),
        (
            "get",
            reverse("admin:depository_entry_accept_suggestions", args=[entry.pk]),
            (ADMIN_LOGIN,) * 3 + (NOT_ALLOWED, NOT_ALLOWED),
        ),
        (
            "post",
            reverse("admin:depository_entry_accept_suggestions", args=[entry.pk]),
            (ADMIN_LOGIN,) * 3 + (REDIRECT, REDIRECT),
            {"themes": [world["published"].themes.get().pk]},
        ),
    ]
    return rows


def all_rows(world):
    return site_rows(world) + admin_rows(world)


def client_for_role(role, users):
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    return client


def outcome_of(response):
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("admin:login") + "?next="):
        return ADMIN_LOGIN
    if location.startswith(reverse("members:login") + "?next="):
        return LOGIN
    return REDIRECT


def test_every_url_pattern_has_a_row(world):
    covered = {route_of(url) for _, url, *_ in all_rows(world)}
    missing = [route for route in walk_routes() if route not in covered]
    assert missing == [], "URL patterns with no row in the access table"


# What a role must not read on any page it gets (lists, feeds, search, sitemap, dashboards, meeting pages).
SECRETS = {
    "anonymous": [
        "nobody outside staff",
        "internal-notes.pdf",
        "Amina's draft paper",
        "Bruno's draft paper",
        "Mariam Members-Only",
        "Oskar Organizers-Only",
        "Halal meals",
        "No budget for travel",
    ],
    "member": ["nobody outside staff", "internal-notes.pdf", "Bruno's draft paper", "Private answer", "Oskar"],
    "second_member": [
        "nobody outside staff",
        "internal-notes.pdf",
        "Amina's draft paper",
        "Oskar",
        "Halal meals",
        "No budget for travel",
    ],
    "organizer": [],
    "superuser": [],
}


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says(world, role, superuser, organizer):
    users = {
        "member": world["member"].user,
        "second_member": world["second_member"].user,
        "organizer": organizer,
        "superuser": superuser,
    }
    index = ROLES.index(role)
    browser = client_for_role(role, users)
    wrong = []
    for method, url, outcomes, *data in all_rows(world):
        # A fresh browser for each POST (log-outs, language), so that nothing it changes reaches the next row.
        client = client_for_role(role, users) if method == "post" else browser
        response = getattr(client, method)(url, *data)
        got, expected = outcome_of(response), outcomes[index]
        if got != expected:
            wrong.append(f"{method.upper()} {url}: expected {expected}, got {got}")
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        elif got == OK:
            text = response.content.decode("utf-8", "replace").replace("&#x27;", "'")
            wrong += [f"GET {url} shows {secret!r}" for secret in SECRETS[role] if secret in text]
    assert wrong == [], "\n".join(wrong)
    assert len(all_rows(world)) >= len(walk_routes())
