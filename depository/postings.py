# ruff: noqa: S608 (every SQL text here is built from the code's own table and column names; values are parameters)
"""The facet index (depository.models.FacetPosting): build it, keep it current, and answer the public
browse page from it.

One row per facet value holds the published entries that have the value (a parent theme's row
includes its sub-themes' entries; the row ("", "") holds every published entry) twice: as a sorted
id array (`entry_ids`, intersected by the `intarray` extension of migration 0004) and as a bit
string (`entry_bits`, bit i for entry id i, migration 0007). So:

- the entries matching the filters are base & (union of facet A's chosen values) & (... of B) ...,
  where base is every published entry, intersected with the search's matches when there is a `q`:
  as an id array (a few intersections) for the page of results and the ranking's candidates, and as
  a bit string for the counts;
- the count beside a value v of facet F is bit_count(bits(v) & base & every chosen facet but F's own):
  an AND and a population count over 12.5 kB at 100,000 entries, whatever the sizes of the sets.

Every row's bit string has the same length (bit strings of different lengths cannot be ANDed): a
multiple of BIT_STEP covering the largest entry id. An entry with an id past it lengthens every row
(`_bit_length`) before it is written.

Kept current in the same transaction as the change that affects it: saving or deleting an entry,
changing its relations (m2m_changed), the curation services' bulk updates, and editing or deleting a
term (which can move entries between a theme and its parent, or a city between countries) rebuild the
rows concerned (depository/signals.py). A bulk `QuerySet.update()` elsewhere must call
`refresh_entries` itself, as it must call `search.reindex_entries`.
"""

from django.db import connection

from depository.facets import FACETS_BY_NAME, SUB_THEME_STEP
from depository.models import City, CityType, Entry, EntryStatus, FacetPosting, LexemeChampion, Theme, ViolenceType

POSTINGS = FacetPosting._meta.db_table
ENTRIES = Entry._meta.db_table
THEMES = Theme._meta.db_table
CITIES = City._meta.db_table
EVERYTHING = ""  # the facet and value of the row holding every published entry
# The bit strings' length grows by this many bits (1 kB) when an entry id passes it.
BIT_STEP = 8192


def _through(relation):
    field = Entry._meta.get_field(relation)
    through = field.remote_field.through
    return through._meta.db_table, through._meta.get_field(field.m2m_reverse_field_name()).column


def _tagged_sql():
    return (
        "SELECT ti.tag_id::text AS value, ti.object_id AS entry_id FROM taggit_taggeditem ti "
        "JOIN django_content_type ct ON ct.id = ti.content_type_id "
        "WHERE ct.app_label = 'depository' AND ct.model = 'entry'"
    )


def _sources():
    """{facet name: SQL giving (value, entry_id) rows for every entry, published or not}."""
    themes, theme_column = _through("themes")
    cities, city_column = _through("cities")
    sources = {
        EVERYTHING: f"SELECT '' AS value, id AS entry_id FROM {ENTRIES}",
        "theme": (
            f"SELECT t.{theme_column}::text AS value, t.entry_id FROM {themes} t "
            f"UNION ALL SELECT th.parent_id::text, t.entry_id FROM {themes} t "
            f"JOIN {THEMES} th ON th.id = t.{theme_column} WHERE th.parent_id IS NOT NULL"
        ),
        "kind": f"SELECT kind AS value, id AS entry_id FROM {ENTRIES}",
        "evidence": f"SELECT evidence_level AS value, id AS entry_id FROM {ENTRIES} WHERE evidence_level <> ''",
        "language": f"SELECT language AS value, id AS entry_id FROM {ENTRIES}",
        "year": f"SELECT year::text AS value, id AS entry_id FROM {ENTRIES} WHERE year IS NOT NULL",
        "country": (
            f"SELECT c.country AS value, t.entry_id FROM {cities} t JOIN {CITIES} c ON c.id = t.{city_column} "
            "WHERE c.country <> ''"
        ),
        "tag": _tagged_sql(),
    }
    for name, relation in (("city_type", "city_types"), ("violence_type", "violence_types"), ("city", "cities")):
        table, column = _through(relation)
        sources[name] = f"SELECT {column}::text AS value, entry_id FROM {table}"
    return sources


def _rows_sql(facets, where):
    """(facet, value, sorted unique ids) of the published entries satisfying `where` (on `e`)."""
    sources = _sources()
    parts = [
        f"SELECT '{name}' AS facet, s.value, s.entry_id::integer AS entry_id FROM ({sources[name]}) s "
        f"JOIN {ENTRIES} e ON e.id = s.entry_id WHERE e.status = '{EntryStatus.PUBLISHED}' AND {where}"
        for name in facets
    ]
    grouped = (
        "SELECT r.facet, r.value, uniq(sort(array_agg(r.entry_id))) AS entry_ids FROM ("  # noqa: S608 (the code's own SQL)
        + " UNION ALL ".join(parts)
        + ") r GROUP BY r.facet, r.value"
    )
    return (
        "SELECT g.facet, g.value, g.entry_ids, depository_bits(g.entry_ids, %(bits)s), icount(g.entry_ids) "
        f"FROM ({grouped}) g"
    )


def _bit_length(cursor, largest_id):
    """The bit strings' common length, made to cover `largest_id` (migration 0008's function pads the
    facet and the lexeme index's rows when an id passes it: once per BIT_STEP entries created)."""
    cursor.execute("SELECT depository_bit_length(%s::integer)", [largest_id])
    return cursor.fetchone()[0]


def _keep_everything_row(cursor, size):
    """The row of every published entry exists even when there is none: the browse page reads it."""
    cursor.execute(
        f"INSERT INTO {POSTINGS} (facet, value, entry_ids, entry_bits, size) "  # noqa: S608
        "VALUES ('', '', '{}', repeat('0', %s)::bit varying, 0) ON CONFLICT (facet, value) DO NOTHING",
        [size],
    )


def rebuild(facets=None):
    """Rewrite the rows of the given facets (all by default) from the entries, in one transaction."""
    facets = list(_sources()) if facets is None else list(facets)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {POSTINGS} WHERE facet = ANY(%s)", [facets])  # noqa: S608
        cursor.execute(f"SELECT max(id) FROM {ENTRIES}")  # noqa: S608
        size = _bit_length(cursor, cursor.fetchone()[0])
        cursor.execute(
            f"INSERT INTO {POSTINGS} (facet, value, entry_ids, entry_bits, size) {_rows_sql(facets, 'TRUE')}",  # noqa: S608
            {"bits": size},
        )
        _keep_everything_row(cursor, size)


def refresh_entries(entry_ids):
    """Take these entries out of every row, then put back the published ones under their current values."""
    entry_ids = sorted({int(pk) for pk in entry_ids if pk is not None})
    if not entry_ids:
        return
    with connection.cursor() as cursor:
        size = _bit_length(cursor, entry_ids[-1])
        cursor.execute(
            f"WITH mask AS (SELECT ~depository_bits(%(ids)s::integer[], %(bits)s) AS bits) "  # noqa: S608
            f"UPDATE {POSTINGS} SET entry_ids = entry_ids - %(ids)s::integer[], entry_bits = entry_bits & mask.bits, "
            "size = icount(entry_ids - %(ids)s::integer[]) "
            "FROM mask WHERE entry_ids && %(ids)s::integer[]",
            {"ids": entry_ids, "bits": size},
        )
        cursor.execute(
            f"INSERT INTO {POSTINGS} (facet, value, entry_ids, entry_bits, size) "  # noqa: S608
            f"{_rows_sql(_sources(), 'e.id = ANY(%(ids)s)')} "
            f"ON CONFLICT (facet, value) DO UPDATE SET entry_ids = {POSTINGS}.entry_ids | EXCLUDED.entry_ids, "
            f"entry_bits = {POSTINGS}.entry_bits | EXCLUDED.entry_bits, "
            f"size = icount({POSTINGS}.entry_ids | EXCLUDED.entry_ids)",
            {"ids": entry_ids, "bits": size},
        )
        _keep_everything_row(cursor, size)


# Which facets' rows depend on a vocabulary (a term's parent, a city's country, a deleted term).
FACETS_OF_MODEL = {
    Theme: ["theme"],
    City: ["city", "country"],
    CityType: ["city_type"],
    ViolenceType: ["violence_type"],
}


# -- answering the browse page ---------------------------------------------------------------------
def _terms_sql(name):
    """For a facet over a vocabulary: SQL giving (key, slug, label, place) per term; None otherwise."""
    if name == "theme":
        return (
            f"SELECT th.id::text AS key, th.slug, {Theme.translated_sql('name', 'th')} AS label, "
            f"coalesce(parent.position, th.position) * "
            f"{SUB_THEME_STEP} + CASE WHEN th.parent_id IS NULL THEN 0 ELSE th.position + 1 END AS place "
            f"FROM {THEMES} th LEFT JOIN {THEMES} parent ON parent.id = th.parent_id"
        )
    if name in ("city_type", "violence_type"):
        table = FACETS_BY_NAME[name].model._meta.db_table
        label = FACETS_BY_NAME[name].model.translated_sql("name", table)  # the page's language, or English
        return f"SELECT id::text AS key, slug, {label} AS label, position AS place FROM {table}"
    if name == "city":
        return f"SELECT id::text AS key, slug, name AS label, 0 AS place FROM {CITIES}"
    if name == "tag":
        return "SELECT id::text AS key, slug, name AS label, 0 AS place FROM taggit_tag"
    return None


def _selection_sql(name, values, *, bits=False):
    """The union of the arrays (or, with `bits`, of the bit strings: NULL when no value exists) of a
    facet's chosen values (ORed within the facet)."""
    terms = _terms_sql(name)
    keys = f"p.value IN (SELECT t.key FROM ({terms}) t WHERE t.slug = ANY(%s))" if terms else "p.value = ANY(%s)"
    chosen = f"FROM {POSTINGS} p WHERE p.facet = '{name}' AND {keys}"
    if bits:
        return f"(SELECT bit_or(p.entry_bits) {chosen})", [list(values)]
    return f"coalesce((SELECT depository_int_union(p.entry_ids) {chosen}), '{{}}'::integer[])", [list(values)]


def _counts_sql(name, others):
    """(value, label, place, n) of one facet; `others` names the bit string its counts apply to, or None
    for every published entry."""
    facet = FACETS_BY_NAME[name]
    n = f"bit_count(p.entry_bits & {others})" if others else "p.size"
    joined = "m CROSS JOIN " if others else ""
    terms = _terms_sql(name)
    pruned = f"p.size >= (SELECT n FROM least_{name})" if others and facet.limit else "TRUE"
    if terms:
        sql = (
            f"SELECT t.slug AS value, t.label, t.place, coalesce({n}, 0) AS n FROM {joined}({terms}) t "
            f"LEFT JOIN {POSTINGS} p ON p.facet = '{name}' AND p.value = t.key WHERE {pruned}"
        )
    else:
        label = "p.value" if name == "country" else "''"
        sql = (
            f"SELECT p.value, {label} AS label, 0 AS place, {n} AS n FROM {joined}{POSTINGS} p "
            f"WHERE p.facet = '{name}' AND {pruned}"
        )
    if not facet.show_empty:
        sql = f"SELECT * FROM ({sql}) c WHERE c.n > 0"
        if facet.limit:
            sql += f" ORDER BY c.n DESC, c.value LIMIT {int(facet.limit)}"
    return f"SELECT '{name}', c.value::text, c.label::text, c.place::integer, c.n::integer FROM ({sql}) c"


def _least_sql(name, others):
    """A facet showing its `limit` largest counts need not count a value whose whole array is smaller
    than the smallest count among the `limit` largest arrays: it cannot enter the list. That count."""
    facet = FACETS_BY_NAME[name]
    terms = _terms_sql(name)
    term_join = f"JOIN ({terms}) t ON t.key = p.value" if terms else ""
    largest = (
        f"SELECT p.entry_bits FROM {POSTINGS} p {term_join} "
        f"WHERE p.facet = '{name}' ORDER BY p.size DESC LIMIT {int(facet.limit)}"
    )
    counted = f"SELECT bit_count(p.entry_bits & {others}) AS n FROM m CROSS JOIN ({largest}) p"
    return f"least_{name} AS MATERIALIZED (SELECT coalesce(min(k.n), 0) AS n FROM ({counted}) k)"


def _arrays(selected, search_ids_sql=None):
    """SQL of one row with the id array `base` (every published entry, and the search's matches) and
    one id array `f_<facet>` per chosen facet (the union of its chosen values); and its parameters."""
    params = []
    base = f"(SELECT entry_ids FROM {POSTINGS} WHERE facet = '' AND value = '')"
    if search_ids_sql:
        sql, search_params = search_ids_sql
        base = f"{base} & {sql}"
        params.extend(search_params)
    columns = [f"coalesce({base}, '{{}}'::integer[]) AS base"]
    for name, values in selected.items():
        sql, selection_params = _selection_sql(name, values)
        columns.append(f"{sql} AS f_{name}")
        params.extend(selection_params)
    return "SELECT " + ", ".join(columns), params


def _bit_strings(selected, search_bits_sql=None):
    """SQL of one row with the bit strings `base_bits` (every published entry, and the search's
    matches) and `fb_<facet>` per chosen facet (zeros when none of its values exists); and its
    parameters."""
    params = []
    everything = f"coalesce((SELECT entry_bits FROM {POSTINGS} WHERE facet = '' AND value = ''), ''::bit varying)"
    raw = [f"{everything} AS everything"]
    if search_bits_sql:
        sql, search_params = search_bits_sql
        raw.append(f"{sql} AS searched")
        params.extend(search_params)
    for name, values in selected.items():
        sql, selection_params = _selection_sql(name, values, bits=True)
        raw.append(f"{sql} AS chosen_{name}")
        params.extend(selection_params)
    columns = ["r.everything & r.searched AS base_bits" if search_bits_sql else "r.everything AS base_bits"]
    columns += [f"coalesce(r.chosen_{name}, r.everything # r.everything) AS fb_{name}" for name in selected]
    return f"SELECT {', '.join(columns)} FROM (SELECT {', '.join(raw)}) r", params


def _intersection(names):
    return " & ".join(["base", *(f"f_{name}" for name in names)])


def _bits_intersection(names):
    return " & ".join(["base_bits", *(f"fb_{name}" for name in names)])


def matching_condition(selected, search_bits_sql, column, *, total=None, walk_from=None):
    """SQL of a condition on `column` (an entry's id, integer) for the published entries matching the
    filters, and its parameters. Without a search, from the id arrays (a few intersections): `id =
    ANY(...)` for few matches, `idx(...) > 0` to walk the sort's index when there are `walk_from` or
    more. With a search, from the bit strings (the search's matches are one)."""
    selected = {name: values for name, values in selected.items() if values}
    walk = total is not None and walk_from is not None and total >= walk_from
    if search_bits_sql:
        sql, params = _bit_strings(selected, search_bits_sql)
        bits = f"(SELECT {_bits_intersection(selected)} FROM ({sql}) s)"
        return (f"depository_has({bits}, {column})" if walk else f"{column} = ANY(depository_ids({bits}))"), params
    sql, params = _arrays(selected)
    ids = f"(SELECT {_intersection(selected)} FROM ({sql}) s)"
    return (f"idx({ids}, {column}) > 0" if walk else f"{column} = ANY({ids}::integer[])"), params


def _candidates_sql(ranking, window):
    """SQL of the text of the array of the candidates for ranking a search by relevance (`ranking`:
    the SQL of the array of the title matches, of the query's lexemes, and their parameters): the
    `window` most recently created matches, as many of the title matches, and as many of the
    champions of each query lexeme (depository/lexicon.py) that match."""
    (titles_sql, titles_params), (lexemes_sql, lexemes_params) = ranking
    champions = LexemeChampion._meta.db_table
    sql = (
        "SELECT '#', ARRAY("
        f"  (SELECT t.id FROM unnest({titles_sql}) t(id) WHERE depository_has(m.matched_bits, t.id)"
        "   ORDER BY t.id DESC LIMIT %s)"
        "  UNION SELECT unnest(depository_last_ids(m.matched_bits, %s))"
        f"  UNION SELECT c.entry_id FROM unnest({lexemes_sql}) l(lexeme) CROSS JOIN LATERAL ("
        f"      SELECT ch.entry_id FROM {champions} ch WHERE ch.lexeme = l.lexeme ORDER BY ch.score DESC LIMIT %s"
        "  ) c WHERE depository_has(m.matched_bits, c.entry_id)"
        ")::text, '', 0, 0 FROM m"
    )
    return sql, [*titles_params, window, window, *lexemes_params, window]


def count(selected, search_bits_sql=None, *, ranking=None, window=0):
    """(number of matching published entries, {facet name: [(value, label, place, n)]}, candidates) in one
    statement, from the bit strings. With `ranking` (see _candidates_sql), the candidates for ranking
    by relevance; without, None."""
    selected = {name: values for name, values in selected.items() if values}
    rows = {name: [] for name in FACETS_BY_NAME}
    candidates = None
    if not selected and not search_bits_sql:
        parts = [f"SELECT '', '', '', 0, size FROM {POSTINGS} WHERE facet = '' AND value = ''"]
        parts += [_counts_sql(name, None) for name in FACETS_BY_NAME]
        sql, params = " UNION ALL ".join(parts), []
    else:
        bit_strings, params = _bit_strings(selected, search_bits_sql)
        columns = [f"{_bits_intersection(selected)} AS matched_bits"]
        others = {}
        for name in FACETS_BY_NAME:
            if name not in selected:
                others[name] = "m.matched_bits"
            elif len(selected) == 1 and not search_bits_sql:
                others[name] = None  # only its own filter: every published entry
            else:
                columns.append(f"{_bits_intersection([other for other in selected if other != name])} AS x_{name}")
                others[name] = f"m.x_{name}"
        parts = ["SELECT '', '', '', 0, bit_count(m.matched_bits) FROM m"]
        if ranking:
            candidates_sql, candidates_params = _candidates_sql(ranking, window)
            parts.append(candidates_sql)
            params = [*params, *candidates_params]
        parts += [_counts_sql(name, others[name]) for name in FACETS_BY_NAME]
        least = [
            _least_sql(name, others[name]) for name in FACETS_BY_NAME if others[name] and FACETS_BY_NAME[name].limit
        ]
        ctes = [
            f"s AS MATERIALIZED ({bit_strings})",
            f"m AS MATERIALIZED (SELECT {', '.join(columns)} FROM s)",
            *least,
        ]
        sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for name, value, label, place, n in cursor.fetchall():
            if name == "":
                total = n
            elif name == "#":
                candidates = sorted(int(pk) for pk in value.strip("{}").split(",") if pk)
            else:
                rows[name].append((value, label or "", place, n))
    return total, rows, candidates
