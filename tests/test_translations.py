"""The interface is complete in Spanish, French and Arabic: every marked string is in the .po files,
and every msgid there has a checked, non-fuzzy translation. `make messages` re-extracts the strings."""

import re
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

TRANSLATED = ["es", "fr", "ar"]
LOCALE = settings.BASE_DIR / "locale"
IGNORED = [".venv", "node_modules", "staticfiles", "test-artifacts", "media", "private_media"]


def po_file(language):
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def gettext_tool(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def msgids(path):
    """(msgctxt, msgid) of every message in a .po file, read by gettext's own msgcat."""
    output = gettext_tool("msgcat", "--no-wrap", "--no-location", str(path))
    return set(re.findall(r'^(?:msgctxt (".*")\n)?msgid (".+")$', output, flags=re.MULTILINE))


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_msgid_has_a_checked_translation(language):
    # msgfmt --check validates the header, plural forms and that every %(name)s of the msgid is kept;
    # --statistics counts what is translated, fuzzy and untranslated.
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "--output-file=/dev/null", str(po_file(language))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), (
        f"{po_file(language)}: {statistics}. Translate the empty and fuzzy entries (see docs/i18n.md)."
    )


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("selection", ["--untranslated", "--only-fuzzy"])
def test_no_translation_is_empty_or_fuzzy(language, selection):
    # msgattrib prints the messages that are empty (or fuzzy); nothing at all when there are none.
    assert gettext_tool("msgattrib", selection, "--no-obsolete", str(po_file(language))) == ""


def test_po_files_hold_every_marked_string(tmp_path, settings, monkeypatch):
    """Fails when a new string was marked but `make messages` was not run (and translated)."""
    # makemessages writes next to the nearest locale/ directory, so extract from a mirror of the
    # source tree (symlinks) whose only locale/ is a temporary one.
    for item in settings.BASE_DIR.iterdir():
        if item.name not in IGNORED and item.name not in {"locale", ".git"}:
            (tmp_path / item.name).symlink_to(item)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["es"], symlinks=True, ignore_patterns=IGNORED, verbosity=0)
    extracted = msgids(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po")
    assert len(extracted) > 100
    for language in TRANSLATED:
        committed = msgids(po_file(language))
        assert not extracted - committed, f"Run `make messages` and translate: {sorted(extracted - committed)[:10]}"
        assert not committed - extracted, f"Obsolete msgids in {language}: run `make messages`"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "depository", "meetings"),
    [("es", "Repositorio", "Reuniones"), ("fr", "Dépôt documentaire", "Réunions"), ("ar", "المستودع", "الاجتماعات")],
)
def test_pages_speak_the_language_the_browser_asks_for(language, depository, meetings):
    response = Client(headers={"accept-language": language}).get(reverse("home"))
    content = response.content.decode()
    assert f'<html lang="{language}"' in content
    assert f">{depository}</a>" in content
    assert f">{meetings}</a>" in content
    assert (f'<html lang="{language}" dir="rtl">' in content) == (language == "ar")


def test_compiled_catalogues_are_used():
    with translation.override("fr"):
        assert translation.gettext("Skip to content") == "Aller au contenu"
