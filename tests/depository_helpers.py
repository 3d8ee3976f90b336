"""Building depository entries for tests: vocabulary terms are created on first mention, by slug."""

import itertools

from django.utils import timezone

from depository.creators import creators_from_text
from depository.models import Attachment, CityType, Entry, Theme, ViolenceType
from depository.services import replace_creators
from places.models import City

_numbers = itertools.count(1)


def term(model, slug, **extra):
    name = extra.pop("name", slug.replace("-", " ").capitalize())
    obj, _ = model.objects.get_or_create(slug=slug, defaults={"name": name, **extra})
    return obj


def theme(slug, parent=None):
    return term(Theme, slug, parent=term(Theme, parent) if parent else None)


def city(slug, country=""):
    return term(City, slug, country=country)


def make_entry(
    title=None,
    *,
    status="published",
    themes=(),
    city_types=(),
    violence_types=(),
    cities=(),
    tags=(),
    authors="",
    **fields,
):
    """An entry; `authors` is an author string ('Family, Given; Given Family; Organization') read
    as the records loader and the spreadsheet import read it."""
    number = next(_numbers)
    title = title or f"Entry number {number}"
    fields.setdefault("kind", "tool")
    fields.setdefault("slug", f"entry-{number}")
    if status == "published":
        fields.setdefault("published_at", timezone.now() - timezone.timedelta(minutes=number))
    entry = Entry.objects.create(title=title, status=status, **fields)
    entry.themes.set([theme(slug) if isinstance(slug, str) else slug for slug in themes])
    entry.city_types.set([term(CityType, slug) for slug in city_types])
    entry.violence_types.set([term(ViolenceType, slug) for slug in violence_types])
    entry.cities.set([city(slug) if isinstance(slug, str) else slug for slug in cities])
    if tags:
        entry.tags.set(list(tags))
    if authors:
        replace_creators(entry=entry, creators=creators_from_text(entry, authors))
    return entry


def attach(entry, *, name="report.pdf", content=b"%PDF-1.4 test", extracted_text="", is_public=True, **fields):
    from django.core.files.base import ContentFile

    attachment = Attachment(
        entry=entry,
        original_name=name,
        content_type=fields.pop("content_type", "application/pdf"),
        size=len(content),
        extracted_text=extracted_text,
        is_public=is_public,
        **fields,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def journal_article(**overrides):
    """A journal article with its whole bibliographic record filled in (issue 20): the entry page's and
    the literature review's tests, and the browser tests, read it."""
    import datetime

    fields = {
        "kind": "publication",
        "item_type": "article-journal",
        "slug": "policing-the-periphery",
        "summary": "How two cities' peripheries were policed, and what residents made of it.",
        "abstract": "Residents of two peripheral districts mapped where they felt unsafe after dark.\n\n"
        "The maps changed where the municipality put its lighting budget.",
        "container_title": "Journal of Urban Safety",
        "container_title_short": "J. Urban Saf.",
        "volume": "12",
        "issue": "3",
        "page": "45-67",
        "collection_title": "Safer Cities Papers",
        "collection_number": "7",
        "publisher": "Urban Press",
        "publisher_place": "Nairobi",
        "year": 2019,
        "date_issued": datetime.date(2019, 3, 1),
        "date_issued_precision": "month",
        "original_date": "2017",
        "doi": "10.1234/jus.2019.12.3.45",
        "issn": "1234-5679",
        "external_url": "https://example.org/jus/periphery",
        "accessed": datetime.date(2020, 5, 4),
        "archive": "UN-Habitat Library",
        "archive_location": "Box 12",
        # "rights" (CSL license) left out: citeproc-py warns on it, and depository/citations.py (being
        # rewritten in parallel) passes it through; tests/test_depository_entry.py checks its row directly.
        "note": "Checked against the publisher's PDF.",
        "other_variables": {"PMID": "31234567", "original-publisher": "City Press", "ris:C1": "Field notes"},
        "themes": ["mediation"],
        "tags": ["participatory mapping", "street lighting"],
        "authors": "Pérez, Ana; Smith, John",
    }
    fields.update(overrides)
    return make_entry("Policing the periphery", **fields)
