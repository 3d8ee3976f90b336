"""Issue 6's three journeys, clicked through in a real browser as a person would: the practitioner
(browse, facets, search, cite, Spanish), the organizer (admin log-in, an entry with facets and a PDF,
published, found by a word of the PDF once the worker has read it) and the member (invitation,
paper, review, revision, publication)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import expect

from core.roles import sync_organizers_group
from depository.models import Entry, ViolenceType
from tests.browser.htmx import after_htmx_settles
from tests.document_files import pdf_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def organized_violence_tagged(records_to_change):
    """As an organizer curating the depository would: three more entries about organized violence
    (the records tag only the inception report with violence types)."""
    organized = ViolenceType.objects.get(slug="organized")
    for slug in (
        "world-bank-e-learning-urban-violence",
        "promising-practices-exchange-2015",
        "crime-observatories-mexico",
    ):
        Entry.objects.get(slug=slug).violence_types.add(organized)
    return organized


def facet_checkbox(page, label):
    return page.locator(".facets label").filter(has_text=label).locator("input[type=checkbox]")


def facet_count(page, label):
    text = page.locator(".facets label").filter(has_text=label).locator(".facet__count").inner_text()
    return int(text.strip("()"))


def test_practitioner_finds_cites_and_reads_an_entry_in_spanish(organized_violence_tagged, page):
    # Home -> depository, by the main navigation.
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Depository").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Depository")
    count = page.locator(".browse__count")
    expect(count).to_have_text("28 entries")  # 14 records of the reports, 14 works of the literature review
    theme = "Knowledge exchange and evidence"
    theme_count_before = facet_count(page, theme)

    # Tick a violence type: the results and the other facets' counts change.
    facet_checkbox(page, "Organized violence").check()
    expect(count).to_have_text("4 entries")
    expect(page).to_have_url(re.compile(r"violence_type=organized"))
    theme_count_after = facet_count(page, theme)
    assert theme_count_after < theme_count_before

    # Tick a theme as well.
    facet_checkbox(page, theme).check()
    expect(count).to_have_text(f"{theme_count_after} entries")
    expect(page.get_by_role("list", name="Active filters")).to_contain_text("Organized violence")

    # Search a phrase within the selection.
    search = page.get_by_label("Search", exact=True)
    search.fill('"e-learning tools"')
    after_htmx_settles(page, lambda: search.press("Enter"))
    expect(count).to_have_text("1 entry")
    title = "World Bank e-learning tools on urban violence"

    # Open the entry.
    page.locator(".browse__results").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    entry_url = page.url

    # Download its RIS citation.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="RIS", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ris")
    ris = Path(download.path()).read_text(encoding="utf-8")
    assert ris.startswith("TY  - ")
    assert f"TI  - {title}" in ris

    # Switch the page to Spanish: same entry, Spanish interface.
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    # The same entry at its Spanish address (issue 22: a link carries its language).
    origin, path = entry_url.split("/depository/", 1)
    assert page.url == f"{origin}/es/depository/{path}"
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("heading", name="Cómo citar")).to_be_visible()
    expect(page.get_by_role("navigation", name="Principal").get_by_role("link", name="Repositorio")).to_be_visible()


# The organizer and the member journeys.

ORGANIZER_PASSWORD = "organizer-pass-1"


@pytest.fixture
def organizer_with_password(records_to_change):
    """Staff in the Organizers group, who logs in through the admin's own form."""
    user = get_user_model().objects.create_user(
        "olga", email="olga@example.org", password=ORGANIZER_PASSWORD, is_staff=True
    )
    user.groups.add(sync_organizers_group())
    return user


@pytest.fixture
def media_roots(settings, tmp_path):
    """Uploads land in a temporary directory, for the live server and for the worker process alike."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT


def run_db_worker(media_roots):
    """`manage.py db_worker` as `make run` starts it, bounded by --batch: runs what is queued, then exits.
    Live-server tests commit for real, so the worker process sees what the browser saved."""
    public, private = media_roots
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(public),
        "PRIVATE_MEDIA_ROOT": str(private),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr


def admin_log_in(page, username, password):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def choose_in_autocomplete(page, field, text):
    """Pick one value in one of the admin's autocomplete (select2) widgets, as a person would."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-container--open .select2-results__option").filter(has_text=text).first.click()
    expect(page.locator(f".field-{field} .select2-selection__rendered")).to_contain_text(text)


def test_organizer_adds_an_entry_with_a_pdf_and_practitioners_find_it_by_a_word_of_the_pdf(
    organizer_with_password, media_roots, new_page, tmp_path
):
    title = "Neighbourhood safety audits in secondary cities"
    pdf = tmp_path / "audits.pdf"
    pdf.write_bytes(pdf_bytes("Walking audits with mototaxi drivers", "Second page on lighting and markets"))
    page = new_page()

    # Log in to the admin through its form.
    admin_log_in(page, "olga", ORGANIZER_PASSWORD)

    # Add an entry: title, a theme, a violence type, and the PDF as a public attachment.
    page.get_by_role("link", name="Entries").first.click()
    page.get_by_role("link", name=re.compile(r"Add entry", re.I)).click()
    page.get_by_label("Kind").select_option(label="Publication")
    page.get_by_label("Title:", exact=True).press_sequentially(title)
    expect(page.get_by_label("Slug:", exact=True)).to_have_value("neighbourhood-safety-audits-in-secondary-cities")
    page.get_by_label("Summary:", exact=True).fill("How municipalities walk their streets with residents.")
    choose_in_autocomplete(page, "themes", "Knowledge exchange")
    choose_in_autocomplete(page, "violence_types", "Organized violence")
    page.get_by_text("Add another Attachment").click()
    page.locator("#id_attachments-0-file").set_input_files(pdf)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator("#attachments-0 td.field-extraction_status")).to_have_text("Waiting for text extraction")
    entry = Entry.objects.get(title=title)
    assert entry.status == "draft"
    assert list(entry.themes.values_list("name", flat=True)) == ["Knowledge exchange and evidence base"]
    assert list(entry.violence_types.values_list("slug", flat=True)) == ["organized"]

    # Not public yet.
    visitor = new_page()
    visitor.goto("/depository/?q=mototaxi")
    expect(visitor.locator(".browse__count")).to_have_text("0 entries")

    # Publish it from the list of entries.
    page.get_by_role("link", name="Entries").first.click()
    row = page.locator("#result_list tr").filter(has_text=title)
    row.locator("input[name=_selected_action]").check()
    page.get_by_label("Action:").select_option(label="Publish the selected entries")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("1 entry published.")

    # The background worker reads the PDF.
    run_db_worker(media_roots)
    page.locator("#result_list").get_by_role("link", name=title).click()
    expect(page.locator("#attachments-0 td.field-extraction_status")).to_have_text("Text extracted")
    expect(page.locator("#attachments-0 td.field-page_count")).to_have_text("2")

    # A practitioner finds it on the browse page by a word that is only inside the PDF.
    assert "mototaxi" not in (entry.title + entry.summary + entry.body).lower()
    visitor.goto("/depository/")
    search = visitor.get_by_label("Search", exact=True)
    search.fill("mototaxi")
    after_htmx_settles(visitor, lambda: search.press("Enter"))
    expect(visitor.locator(".browse__count")).to_have_text("1 entry")
    visitor.locator(".browse__results").get_by_role("link", name=title).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.locator("main")).to_contain_text("Organized violence")
    expect(visitor.locator("main")).to_contain_text("audits.pdf")


def field(page, label):
    """A form field by its label, with or without Django's ':' suffix."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def decide(page, paper_title, decision, comment=""):
    """The organizer opens the paper in the admin's review queue and records a decision."""
    page.goto("/admin/")
    page.get_by_role("link", name="Input papers").first.click()
    page.locator("#result_list").get_by_role("link", name=paper_title, exact=True).click()
    page.get_by_role("link", name="Decide (with a comment)").click()
    field(page, "Decision").select_option(label=decision)
    field(page, "Comment").fill(comment)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Done: {decision}.")


def test_member_is_invited_submits_a_paper_revises_it_and_it_is_published(
    organizer_with_password, media_roots, new_page, tmp_path, mailoutbox
):
    title = "Bus rapid transit corridors and neighbourhood conflict in Durban"
    first_draft = tmp_path / "draft.pdf"
    first_draft.write_bytes(pdf_bytes("Infrastructure projects in Cape Town"))
    revision = tmp_path / "revised.pdf"
    revision.write_bytes(pdf_bytes("Infrastructure projects in Cape Town", "Resettlement in Durban"))

    # The organizer invites Rory from the admin; the invitation arrives by e-mail.
    olga = new_page()
    admin_log_in(olga, "olga", ORGANIZER_PASSWORD)
    olga.get_by_role("link", name="Invitations").first.click()
    olga.get_by_role("link", name=re.compile(r"Add invitation", re.I)).click()
    field(olga, "People to invite").fill("Rory Robertshaw <rory@example.org>")
    olga.get_by_role("button", name="Send the invitations").click()
    expect(olga.locator(".messagelist")).to_contain_text("1 invitation sent.")
    (invitation_mail,) = mailoutbox
    assert invitation_mail.to == ["rory@example.org"]
    link = next(line for line in invitation_mail.body.splitlines() if "/members/invitation/" in line)
    invitation_path = "/" + link.split("/", 3)[3].strip()

    # Rory opens the link, chooses a user name and a password, says who he is.
    rory = new_page()
    rory.goto(invitation_path)
    expect(rory.get_by_role("heading", level=1)).to_have_text("Join the TWG Portal")
    expect(rory.locator("main")).to_contain_text("rory@example.org")
    field(rory, "User name").fill("rory")
    field(rory, "Password").fill("infrastructure-and-conflict")
    field(rory, "Password again").fill("infrastructure-and-conflict")
    field(rory, "Your name").fill("Rory Robertshaw")
    field(rory, "Or a new organization").fill("Isandla Institute")
    rory.get_by_role("button", name="Create my account").click()
    expect(rory).to_have_url(re.compile(r"/members/$"))
    expect(rory.locator("main")).to_contain_text("Rory Robertshaw")

    # A new input paper, its first file, then submitted.
    rory.get_by_role("link", name="New input paper").click()
    field(rory, "Title").fill(title)
    field(rory, "Abstract").fill("Resettlement and the conflicts it causes, in South African cities.")
    rory.get_by_role("button", name="Save").click()
    expect(rory.get_by_role("heading", level=1)).to_have_text(title)
    expect(rory.locator(".status")).to_have_text("Draft")
    field(rory, "File").set_input_files(first_draft)
    rory.get_by_role("button", name="Upload", exact=True).click()
    versions = rory.locator(".version-list")
    expect(versions).to_contain_text("Version 1")
    expect(versions).to_contain_text("draft.pdf")
    field(rory, "Comment").fill("First draft.")
    rory.get_by_role("button", name="Submit for review").click()
    expect(rory.locator(".status")).to_have_text("Submitted")

    # The organizer reviews it and asks for changes.
    decide(olga, title, "Start review")
    decide(olga, title, "Request changes", "Please add the Durban resettlement case.")

    # Rory reads the comment on his page and uploads a revision, submitted again.
    rory.get_by_role("link", name="Back to your page").click()
    expect(rory.locator("main")).to_contain_text("changes requested")
    rory.get_by_role("link", name=title).first.click()
    expect(rory.locator(".status")).to_have_text("Changes requested")
    expect(rory.locator(".paper-history")).to_contain_text("Please add the Durban resettlement case.")
    field(rory, "File").set_input_files(revision)
    rory.get_by_role("button", name="Upload a new version").click()
    expect(versions).to_contain_text("Version 2")
    expect(versions).to_contain_text("revised.pdf")
    field(rory, "Comment").fill("Durban added.")
    rory.get_by_role("button", name="Submit for review").click()
    expect(rory.locator(".status")).to_have_text("Submitted")

    # The organizer accepts and publishes.
    decide(olga, title, "Start review")
    decide(olga, title, "Accept", "Thank you.")
    decide(olga, title, "Publish in the depository", "Published for the Corregidora meeting.")
    expect(olga.locator(".field-status")).to_contain_text("Published")

    # Rory's page links to the entry.
    rory.reload()
    expect(rory.locator(".status")).to_have_text("Published")
    expect(rory.get_by_role("link", name="See it in the depository")).to_be_visible()

    # Anyone finds the paper in the depository, with its author and the revised file.
    visitor = new_page()
    visitor.goto("/depository/")
    search = visitor.get_by_label("Search", exact=True)
    search.fill("rapid transit corridors")
    after_htmx_settles(visitor, lambda: search.press("Enter"))
    expect(visitor.locator(".browse__count")).to_have_text("1 entry")
    visitor.locator(".browse__results").get_by_role("link", name=title).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    main = visitor.locator("main")
    expect(main).to_contain_text("Rory Robertshaw")
    expect(main).to_contain_text("revised.pdf")
    expect(main).not_to_contain_text("draft.pdf")
    with visitor.expect_download() as download_info:
        main.get_by_role("link", name="revised.pdf").click()
    assert Path(download_info.value.path()).read_bytes() == revision.read_bytes()
