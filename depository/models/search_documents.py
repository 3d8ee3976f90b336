"""The stored search document of each entry, kept in a narrow side table.

The weighted tsvector of an entry (title, summary and annotation, body, the text extracted from its
attachments) can be large; it lives here, one row per entry, so listing queries never drag it and a
GIN index serves the search. `depository.search.reindex_entries` keeps it current: entries and
attachments re-index on every save (see depository/signals.py).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from depository.models.entries import Entry, Language
from depository.models.postings import BitStringField


class EntrySearchDocument(models.Model):
    entry = models.OneToOneField(
        Entry, verbose_name=_("entry"), primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    # A copy of the entry's language: a query is matched against each entry in its own language's
    # text search configuration, without joining the entry table.
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    document = SearchVectorField(_("search document"))
    # The title alone (tiny): a search matching most entries ranks the title matches among its candidates.
    title_vector = SearchVectorField(_("title search vector"), null=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            # The browse page's full-text search (`?q=`).
            GinIndex(fields=["document"], name="entry_search_document_gin"),
            # The browse page's relevance sort: which matching entries have the words in their title.
            GinIndex(fields=["title_vector"], name="entry_search_title_gin"),
        ]

    def __str__(self):
        return str(self.entry_id)


class LexemePosting(models.Model):
    """A lexeme common enough that reading its matches from the GIN index would visit thousands of
    table pages: the entries whose search document has it, as a bit string like the facet index's
    (depository/lexicon.py). Kept current by a trigger on the search documents (migration 0008)."""

    lexeme = models.TextField(_("lexeme"), primary_key=True)
    entry_bits = BitStringField(_("entry bits"), default="")
    # The length of this lexeme's champion list (LexemeChampion) when the index was built.
    champion_size = models.PositiveIntegerField(_("champion list size"), default=0)

    class Meta:
        verbose_name = _("lexeme posting")
        verbose_name_plural = _("lexeme postings")

    def __str__(self):
        return self.lexeme


class LexemeChampion(models.Model):
    """One of the entries in which a common lexeme weighs most (its weighted term frequency: each
    occurrence counts 1 in the title, 0.4 in the summary, 0.2 in the body, 0.1 in the files): the
    candidates a search ranks besides the title matches and the most recent matches."""

    lexeme = models.TextField(_("lexeme"))
    entry_id = models.IntegerField(_("entry id"))
    score = models.FloatField(_("score"))

    class Meta:
        verbose_name = _("lexeme champion")
        verbose_name_plural = _("lexeme champions")
        constraints = [models.UniqueConstraint(fields=["lexeme", "entry_id"], name="lexeme_champion_unique")]
        indexes = [
            models.Index(fields=["lexeme", "-score"], name="lexeme_champion_score_idx"),
            models.Index(fields=["entry_id"], name="lexeme_champion_entry_idx"),
        ]

    def __str__(self):
        return f"{self.lexeme}: {self.entry_id}"
