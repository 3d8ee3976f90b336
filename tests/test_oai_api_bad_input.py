"""Arbitrary arguments (hypothesis) against /oai/ and /api/: never a 500; every OAI-PMH answer valid by
the XML Schemas, every API answer one the OpenAPI document describes."""

import functools
from urllib.parse import urlencode

from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from tests.test_bad_input import EXAMPLES, any_text, entries, query_params, raw_query  # noqa: F401 (fixture)
from tests.test_oai import SCHEMA

OAI_ARGUMENTS = ["verb", "metadataPrefix", "identifier", "set", "from", "until", "resumptionToken"]
VERBS = ["Identify", "ListMetadataFormats", "ListSets", "ListIdentifiers", "ListRecords", "GetRecord"]
oai_arguments = st.dictionaries(
    keys=st.one_of(st.sampled_from(OAI_ARGUMENTS), st.text(max_size=10)),
    values=st.lists(
        st.one_of(st.sampled_from([*VERBS, "oai_dc", "theme", "kind:tool"]), any_text), min_size=1, max_size=2
    ),
    max_size=5,
)


@EXAMPLES
@given(arguments=oai_arguments, raw=raw_query)
def test_oai_takes_any_arguments(entries, arguments, raw):  # noqa: F811
    client = Client()
    for response in (
        client.get("/oai/", QUERY_STRING=urlencode(arguments, doseq=True)),
        client.get("/oai/", QUERY_STRING=raw),
        client.post("/oai/", {name: values[0] for name, values in arguments.items() if "\x00" not in name + values[0]}),
    ):
        # Also a NUL character, refused before any view, is OAI-PMH's badArgument (core/protocols.py).
        assert response.status_code == 200
        SCHEMA.assertValid(etree.fromstring(response.content))


@functools.cache
def openapi_validator():
    """The OpenAPI document the portal serves, parsed once per process: parsing it took longer than an example."""
    return OpenAPI.from_dict(Client().get("/api/openapi.json").json())


@EXAMPLES
@given(params=query_params, raw=raw_query, slug=st.text(min_size=1, max_size=30))
def test_api_takes_any_query(entries, params, raw, slug):  # noqa: F811
    client = Client()
    openapi = openapi_validator()
    cache.clear()  # the throttle counts every example's requests otherwise
    for response in (
        client.get("/api/entries", QUERY_STRING=urlencode(params, doseq=True)),
        client.get("/api/entries", QUERY_STRING=raw),
        client.get(f"/api/entries/{slug}".replace("?", "%3F").replace("#", "%23")),
    ):
        assert response.status_code < 500
        # Also what never reached an operation (a slug with a slash, a NUL) is the API's JSON error;
        # only what reached an operation is one the OpenAPI document describes.
        assert response["Content-Type"].startswith("application/json")
        if response.wsgi_request.resolver_match is not None:
            openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))
