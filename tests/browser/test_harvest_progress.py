"""A harvest source's admin page in a real browser follows its running harvest (issue 21): the progress
line is read again from the run's progress view (static/js/harvest_progress.js) without reloading the
form the organizer may be editing, and stops once the run ends. The page's clock is Playwright's, so
the script's 5-second poll is fast-forwarded, never waited for."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import sync_organizers_group
from harvest.models import HarvestRun, RunPhase, RunStatus, Source
from tests.browser.test_journeys import admin_log_in

pytestmark = pytest.mark.browser


def test_the_source_page_follows_its_running_harvest_without_reloading_the_form(records_to_change, new_page, axe):
    user = get_user_model().objects.create_user("hana", password="organizer-pass-1", is_staff=True)
    user.groups.add(sync_organizers_group())
    source = Source.objects.create(
        kind="oai", name="Recorded repository", oai_base_url="https://repository.example.org/oai"
    )
    run = HarvestRun.objects.create(
        source=source, status=RunStatus.RUNNING, phase=RunPhase.LISTING, pages=1, records=2, started_at=timezone.now()
    )

    page = new_page()
    admin_log_in(page, "hana", "organizer-pass-1")
    page.clock.install()
    page.goto(f"/admin/harvest/source/{source.pk}/change/")
    line = page.locator(".harvest-progress-text")
    expect(line).to_have_text("Listing: page 1, 2 records read.")
    axe.check(page)
    # The organizer starts editing; the run moves on in the worker.
    page.get_by_label("Set").fill("driver:open_access")
    HarvestRun.objects.filter(pk=run.pk).update(pages=3, records=250)
    page.clock.run_for(5_000)
    expect(line).to_have_text("Listing: page 3, 250 records read.")

    HarvestRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, phase=RunPhase.DONE, pages=4, records=8, finished_at=timezone.now()
    )
    page.clock.run_for(5_000)
    expect(line).to_have_text("Done: 4 pages, 8 records read.")
    # The form was never reloaded: the organizer's edit is still there.
    expect(page.get_by_label("Set")).to_have_value("driver:open_access")

    # Finished: the script asks no more.
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/progress/" in request.url else None)
    page.clock.run_for(30_000)
    assert asked == []
