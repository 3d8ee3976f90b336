"""The admin's pickers find what is typed, by name, in every language (issue 22, finding 9).

Every picker is Django's autocomplete view, `/admin/autocomplete/?app_label=&model_name=&field_name=&term=`,
answering the select box's JSON; the first result is what Enter saves.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.admin_autocomplete import AutocompleteByNameMixin
from depository.models import CityType, Entry, Theme, ViolenceType
from people.models import Organization, Person


def picked(client, app_label, model_name, field_name, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


@pytest.fixture
def vocabularies(db):
    # As in the TWG records: the first terms' descriptions mention the later terms' words.
    CityType.objects.create(
        name="Conflict setting", slug="conflict", position=1, description="Cities at war or in post-war transition."
    )
    CityType.objects.create(name="Post-conflict setting", slug="post-conflict", position=2, name_ar="ما بعد النزاع")
    ViolenceType.objects.create(
        name="Large-scale violence", slug="large", position=1, description="Organized armed groups fighting."
    )
    ViolenceType.objects.create(name="Organized violence", slug="organized", position=2)
    Theme.objects.create(name="Urban safety", slug="safety", position=1, description="Includes governance.")
    Theme.objects.create(name="Local governance", slug="governance", position=2, name_fr="Gouvernance locale")


@pytest.mark.django_db
def test_city_types_picker_finds_the_typed_name_only(organizer_client, vocabularies):
    assert picked(organizer_client, "depository", "entry", "city_types", "Post") == ["Post-conflict setting"]


@pytest.mark.django_db
def test_violence_types_picker_finds_the_typed_name_only(organizer_client, vocabularies):
    assert picked(organizer_client, "depository", "entry", "violence_types", "Organ") == ["Organized violence"]


@pytest.mark.django_db
def test_pickers_find_a_term_by_its_translated_name(organizer_client, vocabularies):
    assert picked(organizer_client, "depository", "entry", "city_types", "النزاع") == ["Post-conflict setting"]
    assert picked(organizer_client, "depository", "entry", "themes", "Gouvern") == ["Local governance"]


@pytest.mark.django_db
def test_names_that_begin_with_the_term_come_first(organizer_client):
    Person.objects.create(name="Anna Carlsson", slug="anna")
    Person.objects.create(name="Carlos Ruiz", slug="carlos")
    assert picked(organizer_client, "meetings", "participation", "person", "Carl") == ["Carlos Ruiz", "Anna Carlsson"]


@pytest.mark.django_db
def test_people_picker_does_not_match_by_organization(organizer_client):
    from meetings.models import Meeting, Participation

    organization = Organization.objects.create(name="Organization for Peace", slug="ofp")
    person = Person.objects.create(name="Beatriz Lima", slug="beatriz")
    meeting = Meeting.objects.create(name="Inception meeting", slug="inception", status="proposed")
    Participation.objects.create(person=person, meeting=meeting, organization=organization)
    assert picked(organizer_client, "meetings", "participation", "person", "Organ") == []


@pytest.mark.django_db
def test_the_change_list_search_still_reaches_descriptions(organizer_client, vocabularies):
    response = organizer_client.get(reverse("admin:depository_citytype_changelist"), {"q": "post-war"})
    assert "Conflict setting" in response.text


def autocomplete_targets():
    """Each registered admin that some `autocomplete_fields` (of an admin or of its inlines) opens."""
    targets = set()
    for model, model_admin in admin.site._registry.items():
        sources = [(model, model_admin.autocomplete_fields)]
        sources += [(inline.model, inline.autocomplete_fields) for inline in model_admin.inlines]
        for source_model, fields in sources:
            for field in fields:
                targets.add(source_model._meta.get_field(field).remote_field.model)
    return targets


def test_every_picker_searches_names_only():
    """The kind: a picker whose admin searches more than the names it shows."""
    targets = autocomplete_targets()
    assert Entry in targets and CityType in targets
    for target in targets:
        model_admin = admin.site._registry[target]
        if target._meta.label == "auth.User":
            continue  # Django's own: user name, first and last name, e-mail, all shown as the user.
        assert isinstance(model_admin, AutocompleteByNameMixin), target
        for lookup in model_admin.autocomplete_search_fields:
            field = target._meta.get_field(lookup.split("__")[0])
            assert field.get_internal_type() != "TextField" or lookup == "text", (target, lookup)
