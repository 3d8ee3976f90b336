"""Arbitrary query strings, form fields and file names (hypothesis) against the views that take input:
no response is a 500, and no input comes back unescaped in HTML (or in the Atom feed's XML).

Each test builds its own browsers (django.test.Client) inside the example, so nothing is shared between
examples but the database rows of the test's fixture."""

import datetime
import os
from urllib.parse import quote, urlencode

import axes.utils
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.body_limits import LOGIN_MAX_BODY_BYTES, body_limit_for
from depository.filters import EntryFilterSet
from depository.spreadsheets import EntryResource
from meetings.models import Meeting
from members.services.invitations import invite_member
from tests.depository_helpers import make_entry
from tests.document_files import pdf_bytes
from tests.members_helpers import make_paper

# Input that would run as script if a page echoed it raw. The pages themselves never contain these.
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
]
hostile = st.builds(
    lambda before, fragment, after: before + fragment + after,
    st.text(max_size=20),
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
)
# Values known to trip a layer below the form: NUL (PostgreSQL refuses it in text), broken escapes, huge numbers.
NASTY = ["\x00", "a\x00b", "%00", "%zz", "-1", "0", "99999999999999999999", "1e400", "NaN", "\ud7ff\ufffe", " "]
# Any text: Unicode of every category (NUL and other controls included), text carrying a hostile fragment,
# or a nasty value.
any_text = st.one_of(st.text(max_size=60), hostile, st.sampled_from(NASTY))

# As many examples as the loaded Hypothesis profile says (tests/conftest.py: 30 with CI=true, 5 locally).
EXAMPLES = settings(
    deadline=None,
    database=None,  # no .hypothesis/ directory in the working tree
    # The fixtures (database rows) are built once per test and read, not changed, by each example.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Counted by the tests and written to docs/security.md: examples tried per view.
TRIED = {}


def check(response, view):
    TRIED[view] = TRIED.get(view, 0) + 1
    assert response.status_code < 500, f"{view}: {response.status_code}"
    content_type = response.get("Content-Type", "")
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
        return
    if content_type.startswith(("text/html", "application/atom+xml", "application/xml")):
        body = response.content.decode("utf-8", "replace")
        for fragment in HOSTILE:
            assert fragment not in body, f"{view} echoes {fragment!r} unescaped"


@pytest.fixture
def entries(db):
    """Published entries whose text holds the hostile fragments too, so that search highlights them."""
    for number, fragment in enumerate(HOSTILE):
        make_entry(
            f"Safety in cities {number}",
            summary=f"Urban safety script alert img svg onload {fragment}",
            themes=["prevention"],
            city_types=["capital"],
            cities=["bogota"],
            tags=["safety"],
        )
    Meeting.objects.create(
        name="Inception <b>meeting</b>", slug="inception", status="held", start_date=datetime.date(2025, 3, 4)
    )


FILTER_NAMES = [*EntryFilterSet.base_filters, "page", "sort", "q"]
query_params = st.dictionaries(
    keys=st.one_of(st.sampled_from(FILTER_NAMES), st.text(max_size=10)),
    values=st.lists(any_text, min_size=1, max_size=3),
    max_size=5,
)
# A raw query string, percent-encoded or not, valid or broken (`%zz`, lone `&`, `=`), as a crawler might send.
raw_query = st.text(max_size=80).map(lambda text: quote(text, safe="=&%+;"))


@EXAMPLES
@given(params=query_params, raw=raw_query, words=st.one_of(hostile, any_text))
def test_browse_and_search_take_any_query(entries, params, raw, words):
    client = Client()
    url = reverse("depository:browse")
    check(client.get(url, QUERY_STRING=urlencode(params, doseq=True)), "browse/search")
    check(client.get(url, QUERY_STRING=raw), "browse/search")
    check(client.get(url, {"q": words}), "browse/search")
    check(client.get(url, {"q": words, "theme": words}, headers={"HX-Request": "true"}), "browse/search")


@EXAMPLES
@given(params=query_params, raw=raw_query, words=st.one_of(hostile, any_text))
def test_feed_and_pack_take_any_query(entries, params, raw, words):
    client = Client()
    check(client.get(reverse("depository:feed"), {"q": words, "tag": words}), "feed")
    check(client.get(reverse("depository:feed"), QUERY_STRING=urlencode(params, doseq=True)), "feed")
    check(client.get(reverse("depository:feed"), QUERY_STRING=raw), "feed")
    check(client.get(reverse("depository:pack"), QUERY_STRING=urlencode(params, doseq=True)), "pack")


@EXAMPLES
@given(params=query_params, raw=raw_query, slug=st.text(min_size=1, max_size=30))
def test_calendars_take_any_query_and_slug(entries, params, raw, slug):
    client = Client()
    check(client.get(reverse("meetings:calendar"), QUERY_STRING=urlencode(params, doseq=True)), "calendar")
    check(client.get(reverse("meetings:calendar"), QUERY_STRING=raw), "calendar")
    check(client.get("/meetings/" + quote(slug, safe="") + ".ics"), "calendar")
    check(client.get(reverse("meetings:ics", args=["inception"]), QUERY_STRING=raw), "calendar")


login_fields = st.fixed_dictionaries(
    {"username": any_text, "password": any_text},
    optional={"next": any_text, "csrfmiddlewaretoken": any_text, "extra": any_text},
)


@EXAMPLES
@given(fields=login_fields)
def test_logins_take_any_fields(db, fields):
    axes.utils.reset()  # the lockout (5 failures) would answer 429 before the form reads the fields
    check(Client().post(reverse("members:login"), fields), "members login")
    check(Client().post(reverse("admin:login"), fields), "admin login")
    check(Client().get(reverse("members:login"), {"next": fields["username"]}), "members login")


file_names = st.one_of(
    st.text(min_size=1, max_size=60),
    hostile.map(lambda text: text + ".pdf"),
    st.sampled_from(["../../etc/passwd", "..\\..\\boot.ini", "CON.pdf", ".pdf", "a" * 300 + ".pdf", "x.pdf.exe"]),
).filter(
    # The test client cannot send a file without a name ("/", "a/", ".."): SimpleUploadedFile refuses one.
    lambda name: os.path.basename(name) not in {"", ".", ".."}
)
file_contents = st.one_of(
    st.binary(max_size=2000),
    st.just(b"%PDF-1.4 truncated"),
    st.just(pdf_bytes("Urban safety and peacebuilding")),
)


@EXAMPLES
@given(name=file_names, content=file_contents)
def test_paper_upload_takes_any_file(db, member, media_roots, name, content):
    paper = make_paper(member)
    client = Client()
    client.force_login(member.user)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    check(client.post(reverse("members:paper_upload", args=[paper.pk]), {"file": upload}), "paper upload")


csv_cells = st.one_of(any_text, st.sampled_from(["=cmd|' /C calc'!A0", "+SUM(A1)", "-1", "@x", '"', ",", "\r\n"]))
csv_text = st.lists(st.lists(csv_cells, min_size=1, max_size=6), max_size=6).map(
    lambda rows: "\n".join(",".join(row) for row in rows)
)


@EXAMPLES
@given(text=csv_text, confirm=st.booleans())
def test_participant_import_takes_any_text(entries, organizer, text, confirm):
    client = Client()
    client.force_login(organizer)
    meeting = Meeting.objects.get(slug="inception")
    url = reverse("admin:meetings_meeting_import_participants", args=[meeting.pk])
    data = {"text": "name,title,organization,city,role\n" + text}
    if confirm:
        data["confirm"] = "1"
    check(client.post(url, data), "participant import")


@EXAMPLES
@given(name=file_names, content=st.one_of(st.binary(max_size=1000), csv_text.map(str.encode)))
def test_participant_import_takes_any_file(entries, organizer, name, content):
    client = Client()
    client.force_login(organizer)
    meeting = Meeting.objects.get(slug="inception")
    url = reverse("admin:meetings_meeting_import_participants", args=[meeting.pk])
    check(client.post(url, {"csv_file": SimpleUploadedFile(name, content, "text/csv")}), "participant import")


ENTRY_HEADER = ",".join(EntryResource._meta.fields) + "\n"


@EXAMPLES
@given(
    name=file_names,
    content=st.one_of(st.binary(max_size=1000), csv_text.map(lambda text: (ENTRY_HEADER + text).encode())),
    file_format=st.one_of(st.sampled_from(["0", "1"]), any_text),
)
def test_entry_import_takes_any_file(entries, organizer, name, content, file_format):
    client = Client()
    client.force_login(organizer)
    upload = SimpleUploadedFile(name, content, "text/csv")
    data = {"resource": "0", "format": file_format, "import_file": upload}
    check(client.post(reverse("admin:depository_entry_import"), data), "entry import")


# The admin's changelists pass their query parameters (list filters, search, ordering, page) to the ORM.
ADMIN_LISTS = {
    "depository_entry": ["q", "status", "status__exact", "kind__exact", "themes__id__exact", "o", "p", "e"],
    "depository_attachment": ["q", "extraction_status__exact", "is_public__exact", "o", "p"],
    "meetings_meeting": ["q", "status__exact", "o", "p"],
    "people_person": ["q", "o", "p"],
    "members_inputpaper": ["q", "status__exact", "o", "p"],
}


@EXAMPLES
@given(
    changelist=st.sampled_from(sorted(ADMIN_LISTS)),
    data=st.data(),
    term=any_text,
)
def test_admin_lists_and_autocomplete_take_any_query(entries, organizer, changelist, data, term):
    params = data.draw(
        st.dictionaries(
            st.sampled_from(ADMIN_LISTS[changelist]), st.lists(any_text, min_size=1, max_size=2), max_size=3
        )
    )
    client = Client()
    client.force_login(organizer)
    url = reverse(f"admin:{changelist}_changelist")
    check(client.get(url, QUERY_STRING=urlencode(params, doseq=True)), "admin lists")
    autocomplete = {"app_label": "depository", "model_name": "entry", "field_name": "themes", "term": term}
    check(client.get(reverse("admin:autocomplete"), autocomplete), "admin lists")


def test_a_nul_in_a_query_string_is_a_400(entries, organizer):
    """Found by the test above: PostgreSQL refuses NUL, and the admin hands these parameters to the ORM."""
    client = Client()
    client.force_login(organizer)
    for url in [
        reverse("admin:depository_entry_changelist") + "?status=%00",
        reverse("admin:autocomplete") + "?app_label=depository&model_name=entry&field_name=themes&term=%00",
        reverse("depository:browse") + "?q=safety%00",
        reverse("meetings:list") + "?a%00=1",
    ]:
        assert client.get(url).status_code == 400, url
    assert client.get(reverse("admin:depository_entry_changelist") + "?status=draft").status_code == 200


invitation_fields = st.fixed_dictionaries(
    {"username": any_text, "password1": any_text, "person_name": any_text, "organization_name": any_text},
    optional={"password2": any_text, "person": any_text, "organization": any_text},
)


@EXAMPLES
@given(fields=invitation_fields, same_password=st.booleans())
def test_invitation_accepts_any_fields(db, organizer, fields, same_password):
    _, token = invite_member(email="new@example.org", invited_by=organizer)
    if same_password:
        fields = {**fields, "password2": fields["password1"]}
    check(Client().post(reverse("members:invitation", args=[token]), fields), "invitation")


# --- Every limit of every input, on every form (issue 13, finding 8) -----------------------------
# A table of forms x limits: each request goes over one limit of one form and must get a clear 4xx
# (or the form again with its error), never a 500, and write nothing. The limits: Django's
# DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000 parameters, GET or POST), DATA_UPLOAD_MAX_NUMBER_FILES (100),
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB of non-file body), each field's length (the model's column or
# more), the length of headers the portal stores (User-Agent, X-Forwarded-For behind a proxy).
TOO_MANY_FIELDS = {f"field{number}": "x" for number in range(1001)}
TOO_BIG_BODY = {"username": "amina", "password": "p" * (2 * 1024 * 1024 + 600 * 1024)}
LONG = "x" * 5000
PASSPHRASE = "a-long-unusual-passphrase"


def too_many_files():
    return {f"file{number}": SimpleUploadedFile(f"f{number}.pdf", b"%PDF-1.4") for number in range(101)}


def limit_cases(world):
    """(form, limit, method, url, data, extra request headers, a clear text the answer must hold)."""
    paper = world["paper"]
    invitation = reverse("members:invitation", args=[world["token"]])
    forms = {
        "members login": ("member", reverse("members:login")),
        "admin login": ("anonymous", reverse("admin:login")),
        "password reset": ("anonymous", reverse("members:password_reset")),
        "invitation": ("anonymous", invitation),
        "paper create": ("member", reverse("members:paper_create")),
        "paper edit": ("member", reverse("members:paper_edit", args=[paper.pk])),
        "paper upload": ("member", reverse("members:paper_upload", args=[paper.pk])),
        "answer": ("member", reverse("members:answer", args=[world["question"].pk])),
        "admin invite": ("organizer", reverse("admin:members_invitation_add")),
        "admin person": ("organizer", reverse("admin:people_person_add")),
        "admin entry": ("organizer", reverse("admin:depository_entry_add")),
        "participant import": ("organizer", world["participant_import"]),
    }
    bad_request = "The portal could not accept this request"
    cases = []
    for form, (actor, url) in forms.items():
        cases += [
            (form, "parameters", actor, "post", url, TOO_MANY_FIELDS, {}, bad_request),
            (form, "files", actor, "post", url, too_many_files(), {}, bad_request),
            (form, "body size", actor, "post", url, TOO_BIG_BODY, {}, bad_request),
            (
                form,
                "query parameters",
                actor,
                "get",
                url + "?" + "&".join(f"q{n}=1" for n in range(1001)),
                {},
                {},
                bad_request,
            ),
        ]
    cases += [
        (
            "members login",
            "user name length",
            "anonymous",
            "post",
            reverse("members:login"),
            {"username": LONG, "password": "x"},
            {},
            "Please enter a correct",
        ),
        (
            "admin login",
            "user name length",
            "anonymous",
            "post",
            reverse("admin:login"),
            {"username": LONG, "password": "x"},
            {},
            "Please enter the correct",
        ),
        (
            "members login",
            "password length",
            "anonymous",
            "post",
            reverse("members:login"),
            # as long as the log-in forms' body limit lets reach the form (core/body_limits.py)
            {"username": "amina", "password": "p" * (LOGIN_MAX_BODY_BYTES - 4096)},
            {},
            "Please enter a correct",
        ),
        (
            "members login",
            "User-Agent length",
            "anonymous",
            "post",
            reverse("members:login"),
            {"username": "amina", "password": "x"},
            {"HTTP_USER_AGENT": LONG},
            "Please enter a correct",
        ),
        (
            "members login",
            "X-Forwarded-For junk",
            "anonymous",
            "post",
            reverse("members:login"),
            {"username": "amina", "password": "x"},
            {"HTTP_X_FORWARDED_FOR": "not-an-address, " + LONG},
            "Please enter a correct",
        ),
        (
            "admin login",
            "X-Forwarded-For junk",
            "anonymous",
            "post",
            reverse("admin:login"),
            {"username": "olga", "password": "x"},
            {"HTTP_X_FORWARDED_FOR": LONG},
            "Please enter the correct",
        ),
        (
            "password reset",
            "e-mail length",
            "anonymous",
            "post",
            reverse("members:password_reset"),
            {"email": LONG + "@example.org"},
            {},
            "Ensure this value has at most 254 characters",
        ),
        (
            "invitation",
            "field lengths",
            "anonymous",
            "post",
            invitation,
            {
                "username": LONG,
                "password1": PASSPHRASE,
                "password2": PASSPHRASE,
                "person_name": LONG,
                "organization_name": LONG,
            },
            {},
            "at most 150 characters",
        ),
        (
            "paper create",
            "title length",
            "member",
            "post",
            reverse("members:paper_create"),
            {"title": LONG, "language": "en"},
            {},
            "at most 300 characters",
        ),
        (
            "paper create",
            "tag length",
            "member",
            "post",
            reverse("members:paper_create"),
            {"title": "T", "language": "en", "tags": "t" * 101},
            {},
            "A tag may have at most 100 characters",
        ),
        (
            "paper edit",
            "tag length",
            "member",
            "post",
            reverse("members:paper_edit", args=[paper.pk]),
            {"title": "T", "language": "en", "tags": "ok, " + "t" * 101},
            {},
            "A tag may have at most 100 characters",
        ),
        (
            "admin invite",
            "e-mail length",
            "organizer",
            "post",
            reverse("admin:members_invitation_add"),
            {"invitees": "x" * 300 + "@example.org"},
            {},
            "the e-mail address is longer than 254 characters",
        ),
        (
            "admin invite",
            "name length",
            "organizer",
            "post",
            reverse("admin:members_invitation_add"),
            {"invitees": "N" * 201 + " <n@example.org>"},
            {},
            "the name is longer than 200 characters",
        ),
        (
            "admin person",
            "name length",
            "organizer",
            "post",
            reverse("admin:people_person_add"),
            {"name": LONG, "slug": "s", "disclosure": "public"},
            {},
            "Ensure this value has at most",
        ),
        (
            "admin entry",
            "tag length",
            "organizer",
            "post",
            reverse("admin:depository_entry_add"),
            {"title": "T", "tags": "t" * 101},
            {},
            "A tag may have at most 100 characters",
        ),
    ]
    return cases


@pytest.fixture
def limits_world(db, member, organizer, settings):
    from meetings.models import Meeting
    from members.models import Question

    settings.TRUSTED_PROXY_COUNT = 1
    meeting = Meeting.objects.create(name="Inception", slug="inception", start_date=datetime.date(2014, 11, 5))
    return {
        "paper": make_paper(member),
        "token": invite_member(email="new@example.org", invited_by=organizer).token,
        "question": Question.objects.create(text="What works?", is_public=True),
        "participant_import": reverse("admin:meetings_meeting_import_participants", args=[meeting.pk]),
        "member": member,
        "organizer": organizer,
    }


@pytest.mark.slow
def test_every_limit_of_every_form_is_a_clear_4xx(limits_world):
    from django.contrib.auth import get_user_model

    from members.models import InputPaper, Invitation
    from people.models import Person

    def counts():
        return (
            get_user_model().objects.count(),
            Person.objects.count(),
            InputPaper.objects.count(),
            Invitation.objects.count(),
        )

    before = counts()
    failures = []
    for form, limit, actor, method, url, data, headers, clear_text in limit_cases(limits_world):
        axes.utils.reset()
        client = Client(raise_request_exception=False)
        if actor != "anonymous":
            client.force_login(limits_world[actor].user if actor == "member" else limits_world[actor])
        response = getattr(client, method)(url, data, **headers)
        TRIED[f"limits: {form}"] = TRIED.get(f"limits: {form}", 0) + 1
        body = response.content.decode("utf-8", "replace")
        # Refused from its Content-Length before any view (core/body_limits.py): the 413 page,
        # and only for a body that really is over its path's limit.
        declared = int(response.request.get("CONTENT_LENGTH") or 0)
        if (
            response.status_code == 413
            and limit in ("parameters", "files", "body size")
            and declared > body_limit_for(response.request["PATH_INFO"])
        ):
            clear_text = "The request is too large"
        if not 200 <= response.status_code < 500 or response.status_code in (301, 302) and "login" in url:
            failures.append(f"{form} / {limit}: {response.status_code}")
        elif clear_text not in body:
            failures.append(f"{form} / {limit}: {response.status_code} without {clear_text!r}")
    assert failures == []
    assert counts() == before
