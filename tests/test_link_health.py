"""Link health (issue 21; docs/harvesting.md, "Link health"): `manage.py check_links` checks every external
link of the published entries through the safe fetcher (HEAD, then GET where HEAD is refused), at most once
every LINK_CHECK_INTERVAL_DAYS days, and keeps what it found in LinkCheck; the organizers' start page lists
the broken ones (failed twice in a row, or 404/410 once), each linked to its entry's admin page. A link to
an address the fetcher refuses is "not checked", never broken. The links are a loopback server's."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from depository.models import Entry
from harvest.links import check_links
from harvest.models import LinkCheck, LinkStatus
from harvest.tasks import check_links_task
from tests.depository_helpers import attach, make_entry
from tests.harvest_helpers import LoopbackServer

pytestmark = pytest.mark.django_db

INDEX = "/admin/"
TEXT = {"Content-Type": "text/html"}


@pytest.fixture(autouse=True)
def link_settings(settings, media_roots):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True  # the links are a server on 127.0.0.1
    settings.HARVEST_HOST_RATE = "1000/m"
    settings.LINK_CHECK_TIMEOUT_SECONDS = 1
    settings.LINK_CHECK_INTERVAL_DAYS = 7


@pytest.fixture
def web():
    """/ok 200, /gone 404, /down 500, /loop redirects to itself, /slow never answers, /no-head answers
    GET but refuses HEAD (405); HEAD elsewhere answers as GET does."""
    server = LoopbackServer(lambda path, query: (404, {}, b""))

    def route(path, query):
        if path == "/slow":
            server.release.wait(30)
        return {
            "/ok": (200, TEXT, b"<p>here</p>"),
            "/no-head": (200, TEXT, b"<p>here too</p>"),
            "/gone": (404, TEXT, b"not found"),
            "/down": (500, TEXT, b"oops"),
            "/loop": (302, {"Location": "/loop"}, b""),
        }.get(path, (404, {}, b""))

    server.set_route(route)
    server.set_head_route(lambda path, query: (405, {}, b"") if path == "/no-head" else route(path, query))
    yield server
    server.close()


def entry_linking(web, path, title=None, **fields):
    return make_entry(title or f"Links to {path}", themes=["policing"], external_url=f"{web.url}{path}", **fields)


def checks():
    return {check.url.rsplit("/", 1)[-1]: check for check in LinkCheck.objects.all()}


def later(days):
    """As if the last checks were `days` days ago."""
    LinkCheck.objects.update(checked_at=timezone.now() - timedelta(days=days))


def broken_rows(html):
    """(entry admin URL, link) of each row of the start page's broken links."""
    rows = re.findall(r'<tr class="broken-link">(.*?)</tr>', html, re.S)
    return [tuple(re.findall(r'<a href="([^"]+)"', row)[:2]) for row in rows]


def test_each_kind_of_answer_is_recorded_and_only_broken_links_are_listed(web, organizer_client):
    entries = {path: entry_linking(web, path) for path in ["/ok", "/no-head", "/gone", "/down", "/loop", "/slow"]}
    entry_linking(web, "/gone", "A draft's dead link", status="draft")  # not public: not checked

    outcomes = check_links()
    assert outcomes == {"ok": 2, "failed": 4}
    found = checks()
    assert set(found) == {"ok", "no-head", "gone", "down", "loop", "slow"}
    assert (found["ok"].status, found["ok"].status_code) == (LinkStatus.OK, 200)
    assert (found["no-head"].status, found["no-head"].status_code) == (LinkStatus.OK, 200)
    assert (found["gone"].status, found["gone"].status_code, found["gone"].consecutive_failures) == ("failed", 404, 1)
    assert (found["down"].status_code, found["down"].consecutive_failures) == (500, 1)
    assert "redirects" in found["loop"].error and found["loop"].status_code is None
    assert found["slow"].status == LinkStatus.FAILED and found["slow"].error
    # HEAD first; GET only where HEAD was refused (or answered an error).
    gets = [path for path, _q, _h in web.requests]
    assert "/ok" in web.head_requests and "/ok" not in gets
    assert "/no-head" in web.head_requests and "/no-head" in gets
    # Broken so far: only the 404 (gone once is enough); a 500 once may be a bad hour.
    assert [c.url for c in LinkCheck.objects.broken()] == [f"{web.url}/gone"]

    # Checked at most once per LINK_CHECK_INTERVAL_DAYS: an immediate second run asks nothing.
    asked = len(web.requests) + len(web.head_requests)
    assert check_links() == {}
    assert len(web.requests) + len(web.head_requests) == asked

    later(days=8)
    check_links()
    found = checks()
    assert found["down"].consecutive_failures == 2 and found["ok"].consecutive_failures == 0
    broken = {c.url.rsplit("/", 1)[-1] for c in LinkCheck.objects.broken()}
    assert broken == {"gone", "down", "loop", "slow"}

    html = organizer_client.get(INDEX).content.decode()
    rows = broken_rows(html)
    assert sorted(rows) == sorted(
        (reverse("admin:depository_entry_change", args=[entries[f"/{name}"].pk]), f"{web.url}/{name}")
        for name in broken
    )
    assert "4 broken links" in html
    assert "HTTP 404" in html and "HTTP 500 (2 times in a row)" in html
    # The entry's admin page each row links to opens.
    assert organizer_client.get(rows[0][0]).status_code == 200


def test_a_link_that_works_again_is_no_longer_broken(web):
    entry = entry_linking(web, "/gone")
    check_links()
    assert LinkCheck.objects.broken().count() == 1
    Entry.objects.filter(pk=entry.pk).update(external_url=f"{web.url}/ok")  # an organizer fixed it
    assert LinkCheck.objects.broken().count() == 0  # the old link is no longer the entry's
    check_links()  # the new link is checked at once; the old one's row is gone
    assert list(LinkCheck.objects.values_list("url", "status")) == [(f"{web.url}/ok", "ok")]


def test_a_private_address_is_not_checked_and_not_broken(web, settings, organizer_client):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = False
    entry_linking(web, "/gone")
    assert check_links() == {"not_allowed": 1}
    check = LinkCheck.objects.get()
    assert check.status == LinkStatus.NOT_ALLOWED and check.get_status_display() == "Not checked: address not allowed"
    assert "127.0.0.1" in check.error and check.consecutive_failures == 0
    assert web.requests == [] and web.head_requests == []  # nothing was sent
    later(days=8)
    check_links()
    assert LinkCheck.objects.get().consecutive_failures == 0
    assert not LinkCheck.objects.broken().exists()
    assert broken_rows(organizer_client.get(INDEX).content.decode()) == []

    # Where the setting allows it, the link is checked.
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    later(days=8)
    assert check_links() == {"failed": 1}


def test_the_source_links_of_public_files_are_checked(web):
    entry = make_entry("Harvested report", themes=["policing"])
    attach(entry, name="report.pdf", source_url=f"{web.url}/gone")
    attach(entry, name="private.pdf", source_url=f"{web.url}/down", is_public=False)
    check_links()
    assert [(c.url, c.status_code) for c in LinkCheck.objects.broken()] == [(f"{web.url}/gone", 404)]
    assert LinkCheck.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_command_queues_a_check_for_the_worker_or_runs_it_now(web):
    entry_linking(web, "/ok")
    call_command("check_links", verbosity=0)
    assert DBTaskResult.objects.filter(task_path=check_links_task.module_path).count() == 1
    assert not LinkCheck.objects.exists()  # queued, not run
    call_command("check_links", "--now", verbosity=0)
    assert LinkCheck.objects.get().status == LinkStatus.OK


def test_the_start_page_costs_the_same_with_more_broken_links(web, organizer_client, django_assert_num_queries):
    entry_linking(web, "/gone", "First dead link")
    check_links()
    organizer_client.get(INDEX)  # warm the content-type cache
    # session, user, the user's own and group permissions (2), 4 counts (papers, answers, files, entries),
    # the broken links with their entries and how many, recent changes
    with django_assert_num_queries(10):
        assert len(broken_rows(organizer_client.get(INDEX).content.decode())) == 1
    for number in range(3):
        entry_linking(web, "/gone", f"More dead links {number}")
    later(days=8)
    check_links()
    with django_assert_num_queries(10):
        html = organizer_client.get(INDEX).content.decode()
    assert len(broken_rows(html)) == 4 and "4 broken links" in html
