# ruff: noqa: S608 (every SQL text here is built from the code's own table, column and facet names)
"""What each facet row is called on the page, kept in this process until the index's generation
changes (issue 23; docs/search.md, "The facet rows' terms").

The counting statement counts facet rows (depository.models.FacetPosting: one per facet value) and
answers with their ids; what a listing shows of each row (the value the query string carries, its
label in the page's language, its place in a vocabulary's order), and the terms no entry has yet (a
theme is listed even when empty), are the same for every search until the facet rows or the terms
change. They used to be joined in each counting statement, one part per facet (about twelve): for a
rare word that was 1.2 of the statement's 3.9 ms at 100,000 entries (medians of 300 replays, the
counts alone then 2.7 ms; the labels as one join in SQL still cost 0.5 ms of it).

Kept per (database, the search's base: public searches do not list the organizers' internal tags,
the page's language) with the generation (sql/search_v3.sql) they were read at, as counts_cache
keeps counts. The themes' names as a result card shows them are kept with them (theme_names): the
page statement then reads each entry's theme ids alone, from the index of the entries' themes, where
it joined the themes and sorted their names for each of its 20 rows (`kidnapping`'s page statement
0.68 to 0.59 ms at 100,000 entries, 0.97 to 0.84 ms after 10 ms idle; medians of 400 and 250, the
two taking turns; issue 23). A process that keeps none reads them in its first counting statement
(parts_sql: one statement still); after that the counting statement reads only the generation, as
one of its rows, and when it is not the one kept, terms() reads the terms again: one more statement,
once per process and base and language after any write.
"""

import threading

from core.db_routers import read_connection
from depository import facets
from depository.models import FacetPosting, SearchGeneration, Theme
from depository.models.translations import Language, active_language

POSTINGS = FacetPosting._meta.db_table
GENERATION = SearchGeneration._meta.db_table
# As facet_index.GENERATION_SQL (which imports this module): the table's oid, a dot, the number.
GENERATION_SQL = "tableoid::text || '.' || value::text"
# A term as listed: (facet row id or None when no entry has it, value, label, place).
type Term = tuple[int | None, str, str, int]
# A theme as a result card names it: (name in the page's language, the language the name is written
# in, its place among the themes: by position, then name).
type ThemeName = tuple[str, str, int]
# Where the themes' names are kept among the facets' terms ({theme id: ThemeName}): not a facet name.
THEMES = "*themes"

# At most 2 bases x 4 languages x a few databases (tests switch them): a few hundred rows each.
MAX_ENTRIES = 64

_entries: dict = {}  # key -> (generation, {facet name: [Term]})
_lock = threading.Lock()


def parts_sql(base_is_public: bool) -> list[str]:
    """The SQL parts (for a UNION ALL whose rows are (text, text, text, integer, integer)) giving
    ('=' facet name, value, label, place, facet row id or NULL) of every registered facet's values as a
    listing shows them (Facet.terms_sql, Facet.label_sql: labels in the active language). A counting
    statement carries them when this process keeps no terms yet (_count in facet_index)."""
    parts = []
    for facet in facets.registered():
        terms = facet.terms_sql(public=base_is_public)
        if terms:
            parts.append(
                f"SELECT '={facet.name}', t.slug::text, t.label::text, t.place::integer, p.id::integer "
                f"FROM ({terms}) t LEFT JOIN {POSTINGS} p ON p.facet = '{facet.name}' AND p.value = t.key"
            )
        else:
            parts.append(
                f"SELECT '={facet.name}', p.value::text, ({facet.label_sql()})::text, 0, p.id::integer "
                f"FROM {POSTINGS} p WHERE p.facet = '{facet.name}'"
            )
    return [*parts, _theme_names_sql()]


def _theme_names_sql():
    """The part giving (THEMES, theme id, name, place, 1 where the name is the page's language's) of
    every theme: the name as theme.translation("name") gives it, the place in the order a card lists
    an entry's themes (position, then name)."""
    language = active_language()
    if language in Theme.TRANSLATION_LANGUAGES:
        name = Theme.translated_sql("name", "th")
        translated = f"(nullif(th.name_{language}, '') IS NOT NULL)::integer"
    else:
        name, translated = "th.name", "0"
    return (
        f"SELECT '{THEMES}', th.id::text, ({name})::text, "  # noqa: S608 (the code's own names)
        f"(row_number() OVER (ORDER BY th.position, th.name))::integer, {translated} FROM {Theme._meta.db_table} th"
    )


def collect(found: dict, name: str, value: str, label: str, place: int, posting_id: int | None) -> bool:
    """Add a row of parts_sql (its five columns) to `found` ({facet name: [Term]}, and under THEMES
    {theme id: ThemeName}); False, and nothing added, for a row of any other part."""
    if name == THEMES:
        written_in = active_language() if posting_id else Language.ENGLISH
        found.setdefault(THEMES, {})[int(value)] = (label or "", str(written_in), place)
        return True
    if not name.startswith("="):
        return False
    found.setdefault(name[1:], []).append((posting_id, value, label or "", place))
    return True


def _key(base_is_public):
    connection = read_connection()
    return (connection.alias, connection.settings_dict["NAME"], base_is_public, active_language())


def kept(base_is_public: bool, generation: str | None = None) -> dict[str, list[Term]] | None:
    """The terms this process keeps for the search's base and the page's language (at `generation`,
    when given), or None."""
    with _lock:
        value = _entries.get(_key(base_is_public))
    if value is None or generation is not None and value[0] != generation:
        return None
    return value[1]


def keep(base_is_public: bool, generation: str | None, found: dict[str, list[Term]]) -> None:
    """Keep `found` as the terms at `generation` (nothing is kept without one: a generation table
    emptied by hand)."""
    if generation is None:
        return
    key = _key(base_is_public)
    with _lock:
        if len(_entries) >= MAX_ENTRIES and key not in _entries:
            _entries.clear()
        _entries[key] = (generation, found)


def terms(base_is_public: bool, generation: str | None) -> dict[str, list[Term]]:
    """{facet name: [(facet row id or None, value, label, place)]} of every registered facet (and under
    THEMES, {theme id: ThemeName}: theme_names), as of `generation` (the one the caller's counts were
    read at) or later: the terms kept at that generation, else read now (one statement, with the
    generation it read them at) and kept. The lists are shared: read them, never change them."""
    found = kept(base_is_public, generation) if generation is not None else None
    if found is not None:
        return found
    found = {facet.name: [] for facet in facets.registered()}
    read_at = None
    sql = " UNION ALL ".join(
        [*parts_sql(base_is_public), f"SELECT '@', {GENERATION_SQL}, '', 0, NULL FROM {GENERATION} WHERE id = 1"]
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql)
        for name, value, label, place, posting_id in cursor.fetchall():
            if not collect(found, name, value, label, place, posting_id):
                read_at = value
    keep(base_is_public, read_at, found)
    return found


def theme_names(base_is_public: bool) -> dict[int, ThemeName]:
    """{theme id: (name, language it is written in, place)} of every theme, in the page's language, as
    kept with the terms (as new as the generation of any count this process gave since: each counting
    statement reads the terms again when they are older than its counts), or read now (one statement)
    when none are kept. Shared: read it, never change it."""
    found = kept(base_is_public)
    if found is None:
        found = terms(base_is_public, None)
    return found.get(THEMES, {})


def clear() -> None:
    """Forget every value (the facet registry changed; a test)."""
    with _lock:
        _entries.clear()
