"""Organizers curate every model in the admin: each changelist and add form renders for them."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The apps organizers curate (core/roles.py), people and places among them since issue 19.
PORTAL_APPS = {"places", "people", "depository", "meetings", "members"}
REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in PORTAL_APPS
)


def test_every_portal_model_is_in_the_admin():
    from django.apps import apps

    models = {
        (model._meta.app_label, model._meta.model_name)
        for app in PORTAL_APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.auto_created
    }
    # Session contributions are curated inline in their session, attachments and creators inline in their entry,
    # a paper's versions and history inline in its admin page; search documents, the facet index, its
    # per-entry records, the term rows of frequent words, the search's change queue and the index's generation
    # are derived, never edited.
    assert models - set(REGISTERED) <= {
        ("meetings", "sessioncontribution"),
        ("depository", "attachment"),
        ("depository", "creator"),
        ("depository", "entrysearchdocument"),
        ("depository", "facetposting"),
        ("depository", "entrypostings"),
        ("depository", "termposting"),
        ("depository", "searchqueue"),
        ("depository", "searchgeneration"),
        ("members", "paperversion"),
        ("members", "paperevent"),
        ("meetings", "milestonechange"),  # curated inline in its progress review (issue 24)
    }


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_changelist_renders_for_an_organizer(organizer_client, twg_records, app_label, model_name):
    response = organizer_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200
    assert b"TWG Portal administration" in response.content


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_changelist_search_works(organizer_client, twg_records, app_label, model_name):
    response = organizer_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), {"q": "Geneva"})
    assert response.status_code == 200


# Paper versions are listed (to find failed or stuck text extractions) but added only by members' uploads.
# Registrations are made by members on the meeting's or the event's page (issue 24).
ADDABLE = [model for model in REGISTERED if model not in {("members", "paperversion"), ("meetings", "registration")}]


@pytest.mark.parametrize(("app_label", "model_name"), ADDABLE)
def test_add_form_renders_for_an_organizer(organizer_client, app_label, model_name):
    response = organizer_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    # A large import is made by uploading its file to the entries' Import page, never by a form.
    assert response.status_code == (403 if (app_label, model_name) == ("depository", "entryimport") else 200)


@pytest.mark.parametrize("model_name", ["meeting", "event"])
def test_an_admin_that_lists_its_form_fields_leaves_none_out(model_name):
    """MeetingAdmin and EventAdmin write their form's order out (their shared fields come from DatedEvent);
    a field added to the model and not to that list would be missing from the form."""
    from django.apps import apps

    model = apps.get_model("meetings", model_name)
    editable = {field.name for field in model._meta.get_fields() if getattr(field, "editable", False)}
    editable -= {"id"}
    assert set(admin.site._registry[model].fields) == editable


def test_meeting_change_page_has_sessions_and_participants_inline(organizer_client, twg_records):
    from meetings.models import Meeting

    inception = Meeting.objects.get(number=0)
    response = organizer_client.get(reverse("admin:meetings_meeting_change", args=[inception.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Welcome, tour de table" in content
    assert content.count('name="participations-') > 21 * 3
    assert reverse("meetings:detail", kwargs={"slug": inception.slug}) in content or "View on site" in content


def test_entry_changelist_shows_facet_counts(organizer_client, twg_records):
    response = organizer_client.get(reverse("admin:depository_entry_changelist"))
    # show_facets = ALWAYS puts a count beside each filter value.
    assert b"Published (" in response.content


def test_autocomplete_finds_people_for_organizers(organizer_client, twg_records):
    response = organizer_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "meetings", "model_name": "participation", "field_name": "person", "term": "Wenn"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Achim Wennmann"]


def test_the_admin_is_refused_to_anonymous_visitors(client):
    response = client.get(reverse("admin:depository_entry_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
