"""An entry's files never push its search document past PostgreSQL's limit, and an extraction that
fails for any reason ends FAILED and is counted on the start page (issue 22, finding 4a)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import QueryDict

from depository import search, tasks
from depository.documents import ExtractionResult
from depository.models import Attachment, ExtractionStatus
from portal.attention import waiting_counts
from tests.depository_helpers import attach, make_entry

pytestmark = pytest.mark.django_db

CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюя"  # 2 bytes each in UTF-8; no stemmer or unaccent shortens them


def word(number):
    """A word no other number gives: 5 Cyrillic letters in base 32."""
    letters = []
    for _ in range(5):
        number, digit = divmod(number, 32)
        letters.append(CYRILLIC[digit])
    return "ф" + "".join(letters)


def distinct_words(start, characters):
    """About `characters` characters of words found nowhere else (the worst case for a tsvector)."""
    count = characters // 7
    return " ".join(word(number) for number in range(start, start + count))


def extracted_as(monkeypatch, text):
    monkeypatch.setattr(tasks, "extract_text", lambda path, kind: ExtractionResult(text=text, page_count=1))


def found(word_):
    return search.search(QueryDict(f"q={word_}"), AnonymousUser()).count


def test_an_eighth_long_file_is_extracted_and_searchable(media_roots, monkeypatch):
    entry = make_entry("Eight annexes")
    files = [attach(entry, name=f"annex-{number}.pdf") for number in range(8)]
    for number, attachment in enumerate(files):
        extracted_as(monkeypatch, distinct_words(number * 20_000, 99_000))
        assert tasks.fill_extracted_text(attachment) == ExtractionStatus.DONE
    search.flush()  # what the commit does; it raised "string is too long for tsvector"
    assert set(Attachment.objects.values_list("extraction_status", flat=True)) == {ExtractionStatus.DONE}
    # Each public file's first part is searchable, the eighth's too.
    assert [found(word(number * 20_000)) for number in range(8)] == [1] * 8


def test_any_failure_of_the_extraction_ends_failed(media_roots, monkeypatch):
    attachment = attach(make_entry("Broken"), name="broken.pdf")

    def breaks(path, kind):
        raise RuntimeError("the extractor broke")

    monkeypatch.setattr(tasks, "extract_text", breaks)
    assert tasks.fill_extracted_text(attachment) == ExtractionStatus.FAILED
    attachment.refresh_from_db()
    assert attachment.extraction_status == ExtractionStatus.FAILED
    assert "RuntimeError" in attachment.extraction_error


def test_a_text_the_index_refuses_leaves_the_file_failed(media_roots, monkeypatch):
    attachment = attach(make_entry("Refused"), name="refused.pdf")
    extracted_as(monkeypatch, "perfectly ordinary words")

    def refusing_flush():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")  # a real database error, as the 1 MB refusal was

    monkeypatch.setattr(tasks.search, "flush", refusing_flush)
    assert tasks.fill_extracted_text(attachment) == ExtractionStatus.FAILED
    attachment.refresh_from_db()
    assert attachment.extraction_status == ExtractionStatus.FAILED
    assert attachment.extracted_text == "" and "division by zero" in attachment.extraction_error


def test_the_start_page_counts_failed_and_stuck_files(media_roots, superuser):
    entry = make_entry("Counted")
    attach(entry, name="failed.pdf", extraction_status=ExtractionStatus.FAILED, extraction_error="damaged")
    attach(entry, name="stuck.pdf", extraction_status=ExtractionStatus.PENDING)  # no task will run it
    attach(entry, name="fine.pdf", extraction_status=ExtractionStatus.DONE, extracted_text="text")
    counts = {item.key: count for item, count in waiting_counts(superuser)}
    assert counts["extraction_failed"] == 2
