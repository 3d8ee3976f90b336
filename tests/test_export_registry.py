"""An export format is one declaration (issue 19): added to settings.DEPOSITORY_EXPORT_FORMATS, it is
linked and served on the entry page and the literature review, written into the briefing pack, and
disseminated by OAI-PMH; without it, none of that."""

import io
import zipfile

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from lxml import etree

from tests.depository_helpers import make_entry
from tests.extra_exports import TITLES_NS

pytestmark = pytest.mark.django_db

WITH_TITLES = [*settings.DEPOSITORY_EXPORT_FORMATS, "tests.extra_exports.TITLES"]
OAI_NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "t": TITLES_NS}


@pytest.fixture
def paper(db, settings):
    settings.SITE_URL = "http://testserver"
    return make_entry("Cities and violence", kind="publication", authors="Moser, Caroline")


def test_a_declared_format_is_linked_served_packed_and_harvested(client, paper):
    with override_settings(DEPOSITORY_EXPORT_FORMATS=WITH_TITLES):
        page = client.get(paper.get_absolute_url()).content.decode()
        assert f'<a href="/depository/{paper.slug}/cite.json">CSL-JSON</a> ·' in page
        assert f'<a href="/depository/{paper.slug}/cite.txt">Titles</a></p>' in page
        response = client.get(f"/depository/{paper.slug}/cite.txt")
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{paper.slug}.txt"'
        assert response.content.decode() == f"Cities and violence\thttp://testserver{paper.get_absolute_url()}\n"

        literature = client.get(reverse("depository:literature")).content.decode()
        assert '<a href="/depository/literature/literature.txt">Titles</a></p>' in literature
        assert client.get("/depository/literature/literature.txt").content.decode().startswith("Cities and violence\t")

        pack = zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("depository:pack")).streaming_content)))
        assert {"citations.ris", "entries.csv", "titles.txt"} <= set(pack.namelist())
        assert pack.read("titles.txt").decode().startswith("Cities and violence\t")

        formats = etree.fromstring(client.get("/oai/", {"verb": "ListMetadataFormats"}).content)
        prefixes = [e.text for e in formats.xpath("//oai:metadataPrefix", namespaces=OAI_NS)]
        assert prefixes == ["oai_dc", "twg_titles"]
        arguments = {
            "verb": "GetRecord",
            "metadataPrefix": "twg_titles",
            "identifier": f"oai:testserver:entries/{paper.pk}",
        }
        record = etree.fromstring(client.get("/oai/", arguments).content)
        assert record.xpath("//t:record/t:title/text()", namespaces=OAI_NS) == ["Cities and violence"]
        assert record.xpath("//t:record/t:creator/text()", namespaces=OAI_NS) == ["Moser, Caroline"]


def test_without_the_declaration_the_format_is_nowhere(client, paper):
    assert client.get(f"/depository/{paper.slug}/cite.txt").status_code == 404
    assert client.get("/depository/literature/literature.txt").status_code == 404
    assert "cite.txt" not in client.get(paper.get_absolute_url()).content.decode()
    pack = zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("depository:pack")).streaming_content)))
    assert sorted(pack.namelist()) == ["citations.ris", "entries.csv"]
    arguments = {
        "verb": "GetRecord",
        "metadataPrefix": "twg_titles",
        "identifier": f"oai:testserver:entries/{paper.pk}",
    }
    response = etree.fromstring(client.get("/oai/", arguments).content)
    assert [e.get("code") for e in response.xpath("//oai:error", namespaces=OAI_NS)] == ["cannotDisseminateFormat"]
