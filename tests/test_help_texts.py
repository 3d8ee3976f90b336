"""Help texts render as written (issue 22, finding 9).

Django renders a help text as HTML (its form templates and the admin's mark it safe), so the
invitation form's "One a line: “Name <e-mail>”" lost its `<e-mail>`, taken for an unknown tag. In
every help text, an angle bracket is escaped or opens an HTML tag (Django's password rules are a
`<ul>`); none shows an unfilled format placeholder."""

import re

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

# The tags help texts use on purpose; anything else between angle brackets is text the browser would drop.
HTML_TAG = re.compile(r"</?(?:ul|ol|li|p|a|em|strong|code|br)\b[^<>]*>")
PROJECT_APPS = {"core", "places", "people", "depository", "meetings", "members", "alerts", "usage", "portal"}


def form_classes(base=forms.BaseForm):
    for subclass in base.__subclasses__():
        yield subclass
        yield from form_classes(subclass)


def help_texts():
    """(where, help text) of every model field and every form field of the portal's own code."""
    admin.autodiscover()  # imports every admin module, and so every form they use
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            for field in model._meta.get_fields():
                if getattr(field, "help_text", ""):
                    yield f"{model._meta.label}.{field.name}", field.help_text
    for form in set(form_classes()):
        if form.__module__.split(".")[0] in PROJECT_APPS:
            for name, field in getattr(form, "base_fields", {}).items():
                if field.help_text:
                    yield f"{form.__module__}.{form.__name__}.{name}", field.help_text


def test_every_help_text_renders_as_written():
    checked = 0
    for where, text in help_texts():
        checked += 1
        shown = str(text)
        assert "<" not in HTML_TAG.sub("", shown), f"{where}: {shown!r} is rendered as HTML: escape it"
        assert not re.search(r"%\(\w+\)[sd]|\{\w*\}", shown), f"{where}: unfilled placeholder in {shown!r}"
    assert checked > 20


@pytest.mark.django_db
def test_the_invitation_form_says_how_to_write_a_line(organizer_client, settings):
    settings.LANGUAGE_CODE = "en"
    page = organizer_client.get(reverse("admin:members_invitation_add")).content.decode()
    assert "One a line: “Name &lt;e-mail&gt;”, “e-mail, Name” or just the e-mail address." in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_invitation_help_keeps_its_brackets_in_every_language(organizer_client, language):
    organizer_client.cookies["django_language"] = language
    page = organizer_client.get(reverse("admin:members_invitation_add")).content.decode()
    help_text = re.search(r'<div class="helptext" id="id_invitees_helptext">(.*?)</div>', page, re.S)
    assert help_text and "&lt;" in help_text[1] and "&gt;" in help_text[1], help_text
