"""The stored search document of each entry, kept in a narrow side table.

The weighted tsvector of an entry (title, summary and annotation, body, the text extracted from its
attachments) can be large; it lives here, one row per entry, so listing queries never drag it, and GIN
indexes (one per language group) serve the search. A document up to a page is kept in the row itself,
not in the TOAST table (migration 0041 says why). Built by one SQL function, depository_search_documents
(depository/search/sql/search_v1.sql), and kept current at the commit of every change (SearchQueue).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from depository.models.entries import Entry, Language

# The largest pending list of each of the search documents' GIN indexes, in kB: a save that grows it past
# this merges it into the index (amortised over the ~18 saves that fill it: ~3.5 kB each at 100,000
# entries), and a search reads at most 8 pages of it besides the index itself, in each language group
# it asks (one index per group: per_language_group). 256 kB (migration 0035, when one index served
# every group) became up to 4 x 32 pages read by a rare word's search once the groups had their own
# indexes: after the benchmark's 1,000 saves, 72 pending pages made `kidnapping`'s two statements
# 0.33 ms slower (~0.01 ms a page). At 64 kB (PostgreSQL's least), a save adds the same (+7.9 ms
# against +8.1 in the benchmark's writes part) and the pending pages left by it were 15 (issue 23).
GIN_PENDING_LIST_KB = 64

# The search's language groups, each matched in its own text search configuration (depository.search.text;
# depository_search_group in sql/search_v1.sql): en, es, fr, ar, and every other language together.
SEARCH_LANGUAGE_GROUPS = (Language.ENGLISH, Language.SPANISH, Language.FRENCH, Language.ARABIC)


def per_language_group(field, prefix):
    """One GIN index of `field` per language group (`<prefix>_<code>`, `<prefix>_other`), each over that
    group's rows only. depository_matching_ids (sql/search_v5.sql) asks each group for its rows whose
    parse in the group's configuration matches: one GIN index over every row answered with every row
    whose stem matched in any language, and PostgreSQL then read each of those rows to keep the group's.
    English words are often their own Spanish, French or Arabic parse (`violence` gives `violenc` in
    English, Spanish and French), so a common English word without a term row in a smaller group read
    tens of thousands of rows: `violence` in the Spanish group read 50,909 pages for 14,978 rows (189 ms)
    against 14,274 pages (65 ms) over its own index, at 100,000 entries (EXPLAIN ANALYZE, issue 23); Q4-like
    throughput 94-95 to 99 requests/s."""
    indexes = [
        GinIndex(
            fields=[field],
            name=f"{prefix}_{code}",
            condition=models.Q(language=code),
            gin_pending_list_limit=GIN_PENDING_LIST_KB,
        )
        for code in SEARCH_LANGUAGE_GROUPS
    ]
    indexes.append(
        GinIndex(
            fields=[field],
            name=f"{prefix}_other",
            condition=~models.Q(language__in=SEARCH_LANGUAGE_GROUPS),
            gin_pending_list_limit=GIN_PENDING_LIST_KB,
        )
    )
    return indexes


class EntrySearchDocument(CleanTextModel):
    entry = models.OneToOneField(
        Entry, verbose_name=_("entry"), primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    # A copy of the entry's language: a query is matched against each entry in its own language's
    # text search configuration, without joining the entry table.
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    document = SearchVectorField(_("search document"))
    # The title alone (tiny): a search matching most entries ranks the title matches among its candidates.
    title_vector = SearchVectorField(_("title search vector"), null=True)
    # Copies of the entry's columns that break ties between equal ranks (NEWEST_WORK_FIRST), so that
    # ranking reads no entry row: ordering `kidnapping`'s 65 candidates joined the entries for these alone,
    # 0.12 of the counting statement's 1.33 ms (0.17 of 1.49 with Q4's and Q3's statements run between,
    # variants taking turns, 100,000 entries; issue 23). Written with the document
    # (depository_search_write_documents, sql/search_v8.sql), so current at the same commit.
    year = models.PositiveSmallIntegerField(_("year"), null=True)
    date_issued = models.DateField(_("date issued"), null=True)
    published_at = models.DateTimeField(_("added to the portal"), null=True)
    created_at = models.DateTimeField(_("created at"), null=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        # Both GIN indexes keep their pending list (new entries not yet merged into the index, which
        # every search reads in full) under GIN_PENDING_LIST_KB: with PostgreSQL's default of 4 MB, a
        # portal whose edits are too few to start autovacuum keeps one for good. After 1,000 saves at
        # 100,000 entries, 481 pages of it made a rare word's match 0.46 to 2.46 ms (issue 23).
        indexes = [
            # The browse page's full-text search (`?q=`).
            *per_language_group("document", "entry_search_document"),
            # The browse page's relevance sort: which matching entries have the words in their title.
            *per_language_group("title_vector", "entry_search_title"),
        ]

    def __str__(self):
        return str(self.entry_id)


class SearchQueue(CleanTextModel):
    """An entry whose search document and facet rows are out of date: written by the statement
    triggers of depository/search/sql/search_v1.sql (whoever changes an entry, its relations, its
    files or a term it uses, ORM save, QuerySet.update(), bulk_create or raw SQL) and emptied at commit
    by one reindex of every queued entry. Empty between transactions."""

    entry_id = models.BigIntegerField(_("entry id"), primary_key=True)

    class Meta:
        verbose_name = _("entry waiting for the search index")
        verbose_name_plural = _("entries waiting for the search index")

    def __str__(self):
        return str(self.entry_id)


class SearchGeneration(models.Model):
    """The search index's generation: one row, whose `value` changes (a new number from a sequence)
    in the same transaction as every write of the facet rows or of the terms they are listed with
    (depository/search/sql/search_v3.sql). What a search counted may be cached under it
    (depository/search/counts_cache.py): a cached value whose generation is not the current one is
    stale, whatever its age. Never written by the ORM, never shown (not in the admin), so its names
    are not marked for translation."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # One row: the index has one generation.
            models.CheckConstraint(condition=models.Q(id=1), name="search_generation_one_row"),
        ]

    def __str__(self):
        return str(self.value)
