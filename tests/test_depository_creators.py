"""Creators and identifiers: read from author strings, edited in the admin, shown on the entry page,
written into every export; a person's disclosure level holds in every format (issue 13, finding 4)."""

import csv
import io
import json
import re

import bibtexparser
import feedparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from django.test import Client
from django.urls import reverse

from depository.creators import split_name
from depository.models import Creator, Entry
from members.models import PaperStatus
from members.services.publishing import publish_paper
from people.models import Disclosure, Person
from tests.depository_helpers import make_entry
from tests.document_files import pdf_bytes
from tests.members_helpers import client_for, make_paper, post_upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Connolly, David", ("person", "Connolly", "David", "")),
        ("David Connolly", ("person", "Connolly", "David", "")),
        ("Müller-Öztürk, Ayşe", ("person", "Müller-Öztürk", "Ayşe", "")),
        ("Madonna", ("person", "Madonna", "", "")),
        ("United Nations Office at Geneva", ("organization", "", "", "United Nations Office at Geneva")),
        ("UN-Habitat", ("organization", "", "", "UN-Habitat")),
        ("Global Network on Safer Cities", ("organization", "", "", "Global Network on Safer Cities")),
        ("Geneva Peacebuilding Platform", ("organization", "", "", "Geneva Peacebuilding Platform")),
        # A word that merely contains one of the organization words is a name.
        ("Ana Officer", ("person", "Officer", "Ana", "")),
    ],
)
def test_author_strings_split_into_family_and_given_names_or_an_organization(text, expected):
    parts = split_name(text)
    assert (parts["kind"], parts["family"], parts["given"], parts["name"]) == expected


# -- The admin ---------------------------------------------------------------------------------------
def admin_form(entry=None, **changes):
    """The entry change form's POST data with its creators inline."""
    data = {
        "kind": "publication",
        "title": "Crime observatories in Latin America",
        "slug": "crime-observatories",
        "status": "draft",
        "language": "en",
        "creators-TOTAL_FORMS": "0",
        "creators-INITIAL_FORMS": "0",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def with_creators(data, *rows):
    data["creators-TOTAL_FORMS"] = str(len(rows))
    for number, row in enumerate(rows):
        for name, value in row.items():
            data[f"creators-{number}-{name}"] = value
    return data


def test_the_admin_edits_creators_in_order_and_normalises_identifiers(organizer_client):
    data = with_creators(
        admin_form(
            external_url="https://doi.org/10.18356/ABC.2020",
            isbn="0-306-40615-2",
            issn="0317 8471",
            report_number="HS/045/20E",
        ),
        {"position": "2", "role": "editor", "kind": "person", "family": "Smith", "given": "John"},
        {"position": "0", "role": "author", "kind": "organization", "name": "UN-Habitat"},
        {
            "position": "1",
            "role": "author",
            "kind": "person",
            "family": "Pérez",
            "given": "Ana",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
        },
    )
    response = organizer_client.post(reverse("admin:depository_entry_add"), data)
    assert response.status_code == 302, response.context["errors"]
    entry = Entry.objects.get(slug="crime-observatories")
    assert (entry.doi, entry.isbn, entry.issn) == ("10.18356/abc.2020", "978-0-306-40615-7", "0317-8471")
    assert [(c.role, c.display_name, c.orcid) for c in entry.creators_in_order()] == [
        ("author", "UN-Habitat", ""),
        ("author", "Ana Pérez", "0000-0002-1825-0097"),
        ("editor", "John Smith", ""),
    ]
    page = organizer_client.get(entry.get_absolute_url()).content.decode()
    assert '<a href="https://doi.org/10.18356/abc.2020">10.18356/abc.2020</a>' in page
    assert "978-0-306-40615-7" in page and "0317-8471" in page and "HS/045/20E" in page
    assert '<a href="https://orcid.org/0000-0002-1825-0097"' in page
    assert "UN-Habitat; " in page and "John Smith (editor)" in page


@pytest.mark.parametrize(
    "changes, creator, field, message",
    [
        ({"doi": "11.1234/x"}, None, "doi", "is not a DOI"),
        ({"isbn": "0-306-40615-3"}, None, "isbn", "is not a valid ISBN"),
        ({"issn": "0317-8472"}, None, "issn", "is not a valid ISSN"),
        ({}, {"kind": "person", "family": "Pérez", "orcid": "0000-0002-1825-0098"}, "orcid", "not a valid ORCID"),
        ({}, {"kind": "person", "given": "Ana"}, "family", "A person needs a family name."),
        ({}, {"kind": "organization", "name": "UNOG", "family": "X"}, "family", "An organization has only a name."),
    ],
)
def test_bad_identifiers_and_creators_are_refused_with_a_message(organizer_client, changes, creator, field, message):
    data = admin_form(**changes)
    if creator:
        with_creators(data, {"position": "0", "role": "author", **creator})
    response = organizer_client.post(reverse("admin:depository_entry_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Entry.objects.exists() and not Creator.objects.exists()


def test_the_database_refuses_an_identifier_that_skipped_normalisation():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_entry("Shouting DOI", doi="10.1234/ABC")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_entry("ISBN-10", isbn="0306406152")


# -- Disclosure in every format -------------------------------------------------------------------
@pytest.fixture
def published_paper(member, second_member, organizer, media_roots):
    """A member's input paper, published, with a co-author whose name only members may see."""
    second_member.person.disclosure = Disclosure.MEMBERS
    second_member.person.save()
    paper = make_paper(member, title="Youth violence and public space", abstract="A study.")
    paper.authors.add(second_member.person)
    post_upload(client_for(member.user), paper, name="final.pdf", content=pdf_bytes("Final text"))
    paper.status = PaperStatus.ACCEPTED
    paper.save()
    publish_paper(paper=paper, user=organizer)
    paper.refresh_from_db()
    return paper


def exports(client, entry):
    """Every place a creator's name can appear, as this client sees them: {format: text}."""

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, url
        return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()

    cite = {
        fmt: get(reverse("depository:cite", kwargs={"slug": entry.slug, "fmt": fmt})) for fmt in ("ris", "bib", "json")
    }
    return {
        **cite,
        "page": get(entry.get_absolute_url()),
        "literature": get(reverse("depository:literature")),
        "literature.csv": get(reverse("depository:literature-export", kwargs={"fmt": "csv"})),
        "feed": get(reverse("depository:feed")),
    }


def test_a_members_only_co_author_is_left_out_for_the_public_in_every_format(published_paper, member):
    entry = published_paper.entry
    public = exports(Client(), entry)
    for fmt, text in public.items():
        assert "Castillo" not in text, fmt
        assert "Diallo" in text, fmt

    [record] = rispy.loads(public["ris"])
    assert record["authors"] == ["Diallo, Amina"]
    names = bibtexparser.parse_string(public["bib"], append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert [(n.last, n.first) for n in names.entries[0]["author"]] == [(["Diallo"], ["Amina"])]
    assert json.loads(public["json"])[0]["author"] == [{"family": "Diallo", "given": "Amina"}]
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', public["page"], re.S).group(1)
    assert [person["name"] for person in json.loads(block)["author"]] == ["Amina Diallo"]
    assert re.findall(r'<meta name="citation_author" content="([^"]*)">', public["page"]) == ["Diallo, Amina"]
    rows = list(csv.DictReader(io.StringIO(public["literature.csv"].lstrip("\ufeff"))))
    assert [row["authors"] for row in rows] == ["Diallo, Amina"]
    assert feedparser.parse(public["feed"]).entries[0].author == "Amina Diallo"

    # A member sees both co-authors, split into family and given names.
    members = exports(client_for(member.user), entry)
    [record] = rispy.loads(members["ris"])
    assert record["authors"] == ["Diallo, Amina", "Castillo, Bruno"]
    assert "Castillo, Bruno" in members["page"]
    # The feed is for anyone: it shows only public names to members too.
    assert "Castillo" not in members["feed"]


def test_publishing_links_co_authors_to_their_people(published_paper, member, second_member):
    creators = published_paper.entry.creators_in_order()
    assert [(c.family, c.given, c.person_id) for c in creators] == [
        ("Diallo", "Amina", member.person_id),
        ("Castillo", "Bruno", second_member.person_id),
    ]


def test_the_entry_page_costs_the_same_with_one_or_many_creators(client, django_assert_num_queries):
    entry = make_entry("Subject", authors="Pérez, Ana")
    # the entry, 9 prefetches (creators among them), related entries, internal tags, a harvested work's
    # provenance (test_depository_entry)
    with django_assert_num_queries(13) as one:
        client.get(entry.get_absolute_url())
    Person.objects.create(name="John Smith", slug="john-smith", disclosure=Disclosure.ORGANIZERS)
    many = make_entry("Subject 2", authors="Pérez, Ana; John Smith; UN-Habitat; Lee, Kim")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(many.get_absolute_url())
    assert [c.display_name for c in response.context["creators"]] == ["Ana Pérez", "UN-Habitat", "Kim Lee"]


# -- Formatted citations ---------------------------------------------------------------------------
def test_apa_and_chicago_with_a_corporate_author_and_no_date(client):
    entry = make_entry(
        "Crime observatories",
        kind="publication",
        authors="United Nations Office at Geneva",
        publisher="UNOG",
        doi="10.18356/abc",
    )
    page = client.get(entry.get_absolute_url()).content.decode()
    apa = re.search(r'data-style="apa">(.*?)</p>', page, re.S).group(1)
    chicago = re.search(r'data-style="chicago">(.*?)</p>', page, re.S).group(1)
    assert (
        "United Nations Office at Geneva. (n.d.). <i>Crime observatories</i>. UNOG. https://doi.org/10.18356/abc" in apa
    )
    assert "United Nations Office at Geneva. n.d. “Crime Observatories”. UNOG. https://doi.org/10.18356/abc." in chicago
    assert "(n.d.). Crime" not in page  # never a reference that starts without its author


def test_dois_are_in_every_export(client):
    entry = make_entry(
        "With a DOI", kind="meeting_report", authors="Pérez, Ana", doi="10.18356/abc", isbn="978-0-306-40615-7"
    )
    found = exports(client, entry)
    assert rispy.loads(found["ris"])[0]["doi"] == "10.18356/abc"
    assert bibtexparser.parse_string(found["bib"]).entries[0]["doi"] == "10.18356/abc"
    assert json.loads(found["json"])[0]["DOI"] == "10.18356/abc"
    assert '<meta name="citation_doi" content="10.18356/abc">' in found["page"]
    assert '<meta name="citation_isbn" content="978-0-306-40615-7">' in found["page"]
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', found["page"], re.S).group(1)
    data = json.loads(block)
    assert {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.18356/abc"} in data["identifier"]
    assert data["sameAs"] == "https://doi.org/10.18356/abc"
