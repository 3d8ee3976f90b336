"""Issue 24 end to end in a real browser: a member fills their profile and is found by a facet in the
directory; asks to join a sub-group, its lead accepts, and an update the lead posts reaches them by
e-mail, whose one-click link then stops the e-mails. At 1280 and 375 px, in English and in Arabic
(/ar/, right to left): every page axe-clean (wcag2a, wcag2aa) and without sideways scrolling."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from depository.models import Theme
from network.models import Delivery, MembershipStatus, SubGroup, SubGroupMembership
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.htmx import after_htmx_settles
from tests.browser.test_member_pages import log_in
from tests.conftest import make_member

pytestmark = pytest.mark.browser


def check(page, axe, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], page.url
    axe.check(page)


@pytest.mark.parametrize(
    ("viewport", "prefix"),
    [(DESKTOP, ""), (PHONE, ""), (DESKTOP, "/ar"), (PHONE, "/ar")],
    ids=["desktop-en", "phone-en", "desktop-ar", "phone-ar"],
)
def test_a_member_is_found_joins_a_subgroup_and_gets_its_update_by_mail(
    records_to_change, new_page, axe, viewport, prefix
):
    theme = Theme.objects.filter(parent__isnull=True).order_by("position", "name").first()
    lead = make_member("amina", "Amina Diallo")
    make_member("bruno", "Bruno Castillo")
    group = SubGroup.objects.create(
        name="Youth violence", slug="youth-violence", purpose="Youth programmes.", lead=lead
    )
    group.themes.add(theme)
    SubGroupMembership.objects.create(
        subgroup=group, member=lead, status=MembershipStatus.ACCEPTED, accepted_at=timezone.now()
    )
    amina, bruno = new_page(viewport=viewport), new_page(viewport=viewport)
    log_in(amina, "amina", "member-pass-1")
    log_in(bruno, "bruno", "member-pass-1")

    # Bruno fills his profile.
    bruno.goto(f"{prefix}/network/profile/")
    if prefix == "/ar":
        assert bruno.evaluate("document.documentElement.dir") == "rtl"
    check(bruno, axe, viewport)
    bruno.locator("#id_role").fill("Youth worker")
    bruno.locator(f'input[name="themes"][value="{theme.pk}"]').check()
    bruno.locator("#id_about").fill("Street outreach with young people.")
    bruno.locator("form.portal-form button[type=submit]").click()
    bruno.wait_for_url(re.compile(r".*/network/$"))

    # Amina finds him by the theme's facet in the directory (htmx swaps the results).
    amina.goto(f"{prefix}/network/")
    check(amina, axe, viewport)
    checkbox = amina.locator(f'#results input[name="theme"][value="{theme.slug}"]')
    if not checkbox.is_visible():  # folded behind "Filters" on a phone
        amina.locator("summary.facets__toggle").click()
    after_htmx_settles(amina, checkbox.check)
    expect(amina.locator("#results")).to_contain_text("Bruno Castillo")
    expect(amina.locator("#results")).to_contain_text("Youth worker")
    assert f"theme={theme.slug}" in amina.url
    check(amina, axe, viewport)

    # Bruno asks to join; Amina, the lead, accepts.
    bruno.goto(f"{prefix}/network/groups/youth-violence/")
    check(bruno, axe, viewport)
    bruno.locator('form[action$="/join/"] button').click()
    expect(bruno.locator(".notice, .messages")).not_to_have_count(0)
    amina.goto(f"{prefix}/network/groups/youth-violence/")
    check(amina, axe, viewport)
    amina.locator('form[action*="/accept/"] button').click()
    expect(amina.locator('form[action*="/accept/"]')).to_have_count(0)
    assert SubGroupMembership.objects.get(member__user__username="bruno").status == MembershipStatus.ACCEPTED

    # Amina posts an update; it reaches Bruno by e-mail at once.
    mail.outbox.clear()
    amina.locator('textarea[name="text"]').fill("We meet in Beirut on 4 May.")
    amina.locator('form[action$="/updates/"] button').click()
    expect(amina.locator("article.update").first).to_contain_text("We meet in Beirut on 4 May.")
    check(amina, axe, viewport)
    assert [message.to for message in mail.outbox] == [["bruno@example.org"]]
    message = mail.outbox[0]
    assert "We meet in Beirut on 4 May." in message.body and "Amina Diallo" in message.body

    # Bruno reads it on the page, then stops the e-mails from the link in the message.
    bruno.goto(f"{prefix}/network/groups/youth-violence/")
    expect(bruno.locator("article.update").first).to_contain_text("We meet in Beirut on 4 May.")
    check(bruno, axe, viewport)
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    bruno.goto(link[link.index("/network/") - len(prefix) :] if prefix else link[link.index("/network/") :])
    check(bruno, axe, viewport)
    bruno.locator("main form button").click()
    expect(bruno.locator("main h1")).to_be_visible()
    assert SubGroupMembership.objects.get(member__user__username="bruno").delivery == Delivery.NONE
