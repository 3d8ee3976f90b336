"""Issue 7: the public pages cost the same number of SQL queries at two data sizes (not timed).

The entries come from the benchmark's own generator (COPY, then the search and facet indexes), so the
data has its skewed facets, tags, long bodies and attachment text; a later change that adds a query
per row (an N+1) makes the two sizes differ.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from depository.models import CityType, Entry, FacetPosting, Theme, ViolenceType
from portal.records import load_records

# One statement for the number of results and every facet's counts, one for the page with its themes' names.
BROWSE = 2
EXPECTED = {
    "home": 3,
    "browse": BROWSE,
    "browse, 1 facet value": BROWSE,
    "browse, 3 values in 2 facets": BROWSE,
    "browse, page 2 by title": BROWSE,
    "search": BROWSE,
    "search + 2 facets": BROWSE,
    "entry page": 13,  # + the creators with their people, the internal tags, a harvested work's provenance
    "Atom feed": 3,  # the search's count over the index, the entries, their creators with their people
}


def top(model, count):
    return list(model.objects.annotate(n=Count("entries")).order_by("-n").values_list("slug", flat=True)[:count])


def public_urls():
    themes = top(Theme, 2)
    violence, city_type = top(ViolenceType, 1)[0], top(CityType, 1)[0]
    entry = Entry.objects.published().order_by("pk").values_list("slug", flat=True)[3]
    return {
        "home": "/",
        "browse": "/depository/",
        "browse, 1 facet value": f"/depository/?theme={themes[0]}",
        "browse, 3 values in 2 facets": f"/depository/?theme={themes[0]}&theme={themes[1]}&violence_type={violence}",
        "browse, page 2 by title": "/depository/?sort=title&page=2",
        "search": "/depository/?q=crime+prevention",
        "search + 2 facets": f"/depository/?q=crime+prevention&theme={themes[0]}&city_type={city_type}",
        "entry page": f"/depository/{entry}/",
        "Atom feed": "/depository/feed/",
    }


def measure(client):
    counts = {}
    for name, url in public_urls().items():
        client.get(url)  # caches (content types, translations) warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(queries)
    return counts


# transaction=True: the generator builds the search documents on parallel connections.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_public_pages_cost_the_same_queries_at_30_and_300_entries(client):
    load_records()
    measured = {}
    for size in (30, 300):
        call_command(
            "generate_synthetic_entries", entries=size, reset=True, allow_any_database=True, stdout=io.StringIO()
        )
        assert Entry.objects.published().count() == size
        assert FacetPosting.objects.get(facet="", value="").entry_ids == sorted(
            Entry.objects.published().values_list("pk", flat=True)
        )
        measured[size] = measure(client)
    assert measured[30] == measured[300] == EXPECTED
