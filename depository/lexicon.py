# ruff: noqa: S608 (every SQL text here is built from the code's own table names; values are parameters)
"""The lexeme index: the search's common words as bit strings, and their champion lists.

A search for a word found in most entries (`crime prevention` matches 57 % of the synthetic
depository) cannot read its matches from the GIN index cheaply: every match's row of the search
documents table is visited (~15,000 pages at 100,000 entries). So each lexeme found in at least
MIN_ENTRIES documents has a row of depository_lexemeposting holding, like the facet index
(depository/postings.py), the entries whose document has it as a bit string of the same length.
A plain query (words ANDed, no phrase, OR, NOT or prefix) whose every lexeme has a row is answered by
ANDing bit strings; any other query, or a rarer word, by the GIN index (few matches, few pages). See
depository_matching_bits in migration 0008.

Ranking such a search cannot afford every match's full document, so it ranks candidates: the most
recent matches, the title matches, and each query lexeme's champions (depository_lexemechampion):
the CHAMPIONS entries in which the lexeme weighs most (occurrences weighted as ts_rank weighs them),
so an old entry whose body is about the words is still ranked onto the first page.

Kept current by statement triggers on the search documents (whoever writes them, in the same
statement): a changed entry's bits leave its old lexemes' rows and join its new ones'; its champion
rows are replaced where they beat the weakest of a list (or the list is short). Which lexemes have a
row is decided by `rebuild` (the generator, `manage.py rebuild_search_index`): a word that becomes
common later is answered by the GIN index, exactly, until the next rebuild.
"""

from django.db import connection

from depository.models import Entry, EntrySearchDocument, LexemeChampion, LexemePosting

# A lexeme found in at least this many documents gets a bit string and a champion list. Below it,
# the GIN index visits at most this many table pages to find its matches.
MIN_ENTRIES = 1000
# The length of a champion list: enough candidates for the first 40 pages of a search.
CHAMPIONS = 1000


def rebuild(min_entries=MIN_ENTRIES, champions=CHAMPIONS):
    """Rewrite the lexeme index from the search documents (in the caller's transaction)."""
    postings = LexemePosting._meta.db_table
    champion_table = LexemeChampion._meta.db_table
    documents = EntrySearchDocument._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {champion_table}")
        cursor.execute(f"DELETE FROM {postings}")
        cursor.execute(f"SELECT depository_bit_length((SELECT max(id) FROM {Entry._meta.db_table})::integer)")
        size = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {postings} (lexeme, entry_bits, champion_size) "
            "SELECT l.lexeme, depository_bits(array_agg(d.entry_id::integer), %(size)s), %(champions)s "
            f"FROM {documents} d "
            "CROSS JOIN LATERAL unnest(tsvector_to_array(d.document)) l(lexeme) "
            "GROUP BY l.lexeme HAVING count(*) >= %(min_entries)s",
            {"size": size, "champions": champions, "min_entries": min_entries},
        )
        cursor.execute(
            f"INSERT INTO {champion_table} (lexeme, entry_id, score) "
            "SELECT r.lexeme, r.entry_id, r.score FROM ("
            "    SELECT s.lexeme, d.entry_id, s.score,"
            "           row_number() OVER (PARTITION BY s.lexeme ORDER BY s.score DESC, d.entry_id DESC) AS place"
            f"   FROM {documents} d CROSS JOIN LATERAL depository_lexeme_scores(d.document) s"
            f"   WHERE s.lexeme IN (SELECT p.lexeme FROM {postings} p)"
            ") r WHERE r.place <= %(champions)s",
            {"champions": champions},
        )
