"""The facet index: per facet value, the sorted array of the ids of the entries (any status) that have it.

The public browse page counts a facet value as the size of an intersection of arrays (the `intarray`
extension's `&` and `icount`, in C) instead of a join and a GROUP BY; the same set is also kept as a
bit string (the bit at position id - 1 set for each entry), so that each of the ~150 counts of a page
is one `bit_count(a & b)` over 12.5 kB at 100,000 entries rather than an intersection of two sorted
arrays. `depository_search_write_facets` (depository/search/sql/search_v1.sql) keeps the table current at
the commit of every change.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel


class BitStringField(models.Field):
    """PostgreSQL's `bit varying`: read and written as a string of 0s and 1s (the SQL does the work)."""

    description = _("Bit string")

    def db_type(self, connection):
        return "bit varying"


class FacetPosting(CleanTextModel):
    # The facet's query-string name; "" for the row holding every published entry.
    facet = models.CharField(_("facet"), max_length=32)
    # The term's id (vocabularies, tags), the choice or year, or the country; "" for every published entry.
    value = models.CharField(_("value"), max_length=200)
    entry_ids = ArrayField(models.IntegerField(), verbose_name=_("entry ids"), default=list)
    # The same entries as a bit string, the bit at (0-based) position id - 1 for each entry id. Every row
    # has the same length, a multiple of search.facet_index.BIT_STEP covering the largest entry id (bit strings of
    # different lengths cannot be ANDed).
    entry_bits = BitStringField(_("entry bits"), default="")
    # How many entries (the arrays' and the bit strings' sizes, read without reading them).
    size = models.PositiveIntegerField(_("number of entries"), default=0)

    class Meta:
        verbose_name = _("facet posting")
        verbose_name_plural = _("facet postings")
        constraints = [
            # The browse page looks a posting up by (facet, value).
            models.UniqueConstraint(fields=["facet", "value"], name="facet_posting_unique_value"),
        ]

    def __str__(self):
        return f"{self.facet}={self.value}"


class EntryPostings(CleanTextModel):
    """The facet rows (FacetPosting ids) one entry is in, as the facet index last recorded it: what
    lets `depository_search_write_facets` (sql/search_v1.sql) rewrite only the rows an edit adds the
    entry to or removes it from. Saving a title changes no row; without this, every save had to read
    every row's id array to find the entry (6 MB at 100,000 entries; issue 12's 30 ms target).

    No foreign key to the entry, on purpose: a deleted entry's row must outlive it until the next
    flush, which takes it out of its facet rows and then deletes this row."""

    entry_id = models.BigIntegerField(_("entry id"), primary_key=True)
    posting_ids = ArrayField(models.IntegerField(), verbose_name=_("facet posting ids"), default=list)

    class Meta:
        verbose_name = _("facet rows of an entry")
        verbose_name_plural = _("facet rows of entries")

    def __str__(self):
        return str(self.entry_id)


class TermPosting(CleanTextModel):
    """The entries whose search document holds one frequent word, as a bit string: what answers a
    search for common words without reading their documents (issue 23).

    A word matching a third of 100,000 entries cost the search ~29 ms to match through the GIN index
    (visiting every page of the documents' table) and ~9 ms to turn into bits; its row here is read
    in well under a millisecond, and a conjunction of such words is an AND of bit strings. Dedicated
    engines keep posting lists for every term; here only the most frequent words of each language
    have a row (chosen by `depository_search_rebuild_terms`, sql/search_terms.sql, at
    `rebuild_search_index`): a rare word's GIN match is already fast. Kept current at the commit of
    every write by `depository_search_write_documents`, by difference from the entry's previous
    document, as the facet rows are."""

    # The text search configuration's group: en, es, fr, ar, or "" for every other language (twg_simple).
    language = models.CharField(_("language"), max_length=2, blank=True)
    # The word as the group's configuration stems it (e.g. "prevent" for "prevention").
    lexeme = models.TextField(_("lexeme"))
    # Same length and bit positions as FacetPosting.entry_bits (bit id - 1 for entry id).
    entry_bits = BitStringField(_("entry bits"), default="")
    # The entries among them with the word in their title (weight A): the ranking's title candidates.
    title_bits = BitStringField(_("title bits"), default="")
    size = models.PositiveIntegerField(_("number of entries"), default=0)

    class Meta:
        verbose_name = _("term posting")
        verbose_name_plural = _("term postings")
        constraints = [
            models.UniqueConstraint(fields=["language", "lexeme"], name="term_posting_unique_lexeme"),
        ]

    def __str__(self):
        return f"{self.language}:{self.lexeme}"
