"""Each protocol answers in its own format (issue 22, finding 6; core/protocols.py, core/errors.py).

/oai/ answers OAI-PMH XML, valid by the schema, also for a request refused before the endpoint, and
refuses a datestamp that is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (OAI-PMH 2.0 section 3.3.1);
/api/ answers its JSON {"detail": ...}; every other path keeps Django's HTML pages.
"""

from urllib.parse import urlencode

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import path
from lxml import etree

from tests.depository_helpers import make_entry
from tests.test_oai import NS, SCHEMA, error_code
from twg_portal import urls as project_urls

pytestmark = pytest.mark.django_db

TOO_MANY = urlencode({f"a{number}": "x" for number in range(1001)})  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1,000


def oai_error(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    tree = etree.fromstring(response.content)
    SCHEMA.assertValid(tree)
    assert not tree.findall("oai:ListRecords", NS)
    return error_code(tree)


def api_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["detail"] and body["detail"]
    return body["detail"]


@pytest.mark.parametrize(
    "dates",
    [
        {"from": "20-1-1"},
        {"from": "2020-1-1"},
        {"until": "2020-01-01T00:00Z"},
        {"from": "2020-01-01T00:00:00.500Z"},  # finer than the repository's seconds
        {"from": "2020-01-01T00:00:00"},  # no Z
        {"from": "2020-01-01T00:00:00+01:00"},
        {"until": "2020-13-01"},
        {"from": "٢٠٢٠-٠١-٠١"},  # Arabic-Indic digits are digits to \d without re.ASCII
        {"from": "2020-01-02", "until": "2020-01-01"},  # from later than until
        {"from": "2020-01-01", "until": "2020-01-01T00:00:00Z"},  # two granularities
    ],
)
@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
def test_a_malformed_datestamp_is_a_bad_argument(client, verb, dates):
    make_entry("Listed only if the dates were ignored")
    response = client.get("/oai/", {"verb": verb, "metadataPrefix": "oai_dc", **dates})
    assert oai_error(response) == ["badArgument"]


def test_well_formed_datestamps_still_select(client):
    make_entry("Listed")
    for dates in ({"from": "2000-01-01"}, {"from": "2000-01-01T00:00:00Z", "until": "9999-12-31T23:59:59Z"}):
        tree = etree.fromstring(
            client.get("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", **dates}).content
        )
        assert len(tree.findall("oai:ListIdentifiers/oai:header", NS)) == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_oai_refusals_before_the_endpoint_are_oai_xml(client, method):
    if method == "get":
        assert oai_error(client.get("/oai/", QUERY_STRING="verb=Identify&x=%00")) == ["badArgument"]
        response = client.get("/oai/", QUERY_STRING=TOO_MANY)
    else:
        response = client.post("/oai/", TOO_MANY, content_type="application/x-www-form-urlencoded")
    assert oai_error(response) == ["badArgument"]


def test_api_refusals_before_the_api_are_its_json(client):
    assert "NUL" in api_error(client.get("/api/entries", QUERY_STRING="q=%00"), 400)
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in api_error(client.get("/api/entries", QUERY_STRING=TOO_MANY), 400)
    api_error(client.get("/api/no-such-collection"), 404)
    api_error(client.get("/api/entries/a/b"), 404)
    api_error(client.post("/api/entries", "x", content_type="text/plain", CONTENT_LENGTH="999999999"), 413)


def test_other_paths_keep_the_html_pages(client):
    for response in (
        client.get("/depository/", QUERY_STRING="q=%00"),
        client.get("/depository/", QUERY_STRING=TOO_MANY),
    ):
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "Bad request" in response.text
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("api/gone", database_gone),
    path("api/broken", broken),
    path("oai/broken", broken),
    *project_urls.urlpatterns,
]
# The project's handlers (None: Django's own, which resolve_error_handler then uses).
handler400, handler403, handler404, handler500 = (
    getattr(project_urls, f"handler{code}", None) for code in (400, 403, 404, 500)
)


@pytest.mark.urls(__name__)
def test_api_outage_and_server_error_are_its_json():
    client = Client(raise_request_exception=False)
    response = client.get("/api/gone")
    assert api_error(response, 503) and response["Retry-After"] == "30"
    api_error(client.get("/api/broken"), 500)
    # OAI-PMH has no error for these: HTTP's own page, as harvesters expect
    assert client.get("/oai/broken")["Content-Type"].startswith("text/html")
