# ruff: noqa: S608 (every SQL text here is built from the code's own table and column names; values are parameters)
"""The facet index (depository.models.FacetPosting): counting and matching from it.

One row per facet value holds the entries that have the value, whatever their status, twice: as a
sorted id array (`entry_ids`, intersected by the `intarray` extension) and as a bit string
(`entry_bits`, bit id - 1 for entry id). A parent theme's row includes its sub-themes' entries. Two
rows are where a search starts (its *base*): ('status', 'published') for everyone, ('', '') (every
entry) for curators, so visibility is one more AND, not a second path. Then:

- the entries matching are base & search matches & (union of facet A's chosen values) & ...;
- the count beside a value v of facet F is bit_count(bits(v) & base & search & every chosen facet
  but F's own): an AND and a population count over 12.5 kB at 100,000 entries.

The rows are written only by depository_search_reindex (sql/search_v1.sql), at the commit of every
change (depository.models.SearchQueue), and each such write gives the index a new generation in the
same transaction (sql/search_v3.sql): count(generation=True) reads it in the same statement, which is
what lets counts_cache keep a search's counts until the next write.
"""

from core.db_routers import read_connection
from depository import facets
from depository.models import EntryPostings, FacetPosting, SearchGeneration
from depository.search import facet_terms, prepared

POSTINGS = FacetPosting._meta.db_table
ENTRY_POSTINGS = EntryPostings._meta.db_table
GENERATION = SearchGeneration._meta.db_table
# The generation as text: the table's oid (a restored database's table is a new one, whose numbers
# may repeat an earlier one's), a dot, the number (sql/search_v3.sql).
GENERATION_SQL = facet_terms.GENERATION_SQL
# The rows a search starts from: (facet, value).
# SQL text with psycopg2 placeholders, and its parameters.
type SQL = tuple[str, list]
# {facet name: [chosen values]} (EntryFilterSet.selected()).
type Selected = dict[str, list[str]]
# The facet row a search starts from: PUBLISHED or EVERYTHING.
type Base = tuple[str, str]
# A value of a facet as counted: (value, label, position, number of entries).
type CountedValue = tuple[str, str, int, int]

PUBLISHED = ("status", "published")
EVERYTHING = ("", "")
# The bit strings' length grows by this many bits (1 kB) when an entry id passes it
# (depository_bit_length in sql/search_v1.sql).
BIT_STEP = 8192
# A search matching at most this many entries counts its facet values from the matches' own records
# (depository_entrypostings: ~15 facet rows each) instead of ANDing every row's bit string: a rare
# word (65 matches at 100,000 entries) then reads ~65 small rows, not ~140 rows of 12.5 kB. Past it,
# the bit strings are cheaper (about 2,000 matches make as many record rows as the bit strings have
# 32-bit words to AND).
FEW_MATCHES = 2000


def _terms_sql(name, base):
    """For a facet over a vocabulary: SQL giving (key, slug, label, place) per term; None otherwise
    (the facet's declaration, depository.facets)."""
    return facets.by_name()[name].terms_sql(public=base == PUBLISHED)


def _selection_sql(name, values, base, *, bits=False):
    """The union of the arrays (or, with `bits`, of the bit strings: NULL when no value exists) of a
    facet's chosen values (ORed within the facet)."""
    terms = _terms_sql(name, base)
    keys = f"p.value IN (SELECT t.key FROM ({terms}) t WHERE t.slug = ANY(%s))" if terms else "p.value = ANY(%s)"
    chosen = f"FROM {POSTINGS} p WHERE p.facet = '{name}' AND {keys}"
    if bits:
        return f"(SELECT bit_or(p.entry_bits) {chosen})", [list(values)]
    return f"coalesce((SELECT depository_int_union(p.entry_ids) {chosen}), '{{}}'::integer[])", [list(values)]


def _posting_counts_sql(declared, others, few, only_if="TRUE"):
    """SQL of ('~', facet row id, '', 0, n) of every facet row of the registered facets with n > 0:
    n is how many of the matches the row holds, within `others[facet]` (the bit string of the matches
    of every filter but the facet's own). With `few` ({bit string: the CTE of those matches' counts per
    facet row}, filled only when the search matched few entries), n comes from that CTE. A facet that
    lists only its `limit` largest counts does not count a row smaller than the least of them
    (_least_sql). One part for every facet: what each row is called is facet_terms's (the names, in
    every facet's own part, were 1.2 of a rare word's 3.9 ms, issue 23).

    When every facet is counted within the same matches (no filter chosen) and there is a CTE of their
    few counts, that CTE's rows are the answer as they are, and the facet rows are read only when the
    matches are not few: joining the ~130 facet rows to it cost `kidnapping`'s counting statement 0.04
    of its 1.12 ms at 100,000 entries (medians of 400, the two taking turns). Its rows also count facet
    rows that no listing shows (the status's): the caller keeps only the terms' (_listed). `few.yes` is
    NULL when the matches came from term rows (no id array): the facet rows' part then counts."""
    if few and len({others[name] for name in declared}) == 1:
        shared = few[others[next(iter(declared))]]
        return (
            f"SELECT '~', f.posting_id::text, '', 0, f.n::integer FROM {shared} f WHERE (SELECT yes FROM few) "
            f"UNION ALL {_posting_counts_sql(declared, others, {}, only_if='(SELECT yes FROM few) IS NOT TRUE')}"
        )
    counted = {}  # n's SQL -> the facets counted by it
    for name in declared:
        bits = others[name]
        # The matches' bits as a sub-select of `m` (an InitPlan, one value for every row), not `m` joined:
        # a joined m's 12.5 kB bit strings travel in each facet row's tuple, and when PostgreSQL hashed
        # those tuples (its plan for Q5 at 100,000 entries) it copied ~5 MB: +2.4 ms.
        n = f"bit_count(p.entry_bits & (SELECT {bits} FROM m))"
        if bits in few:
            # CASE evaluates one branch: the bit strings are not even read when the matches are few.
            n = f"CASE WHEN (SELECT yes FROM few) THEN coalesce({few[bits]}.n, 0) ELSE {n} END"
        counted.setdefault(n, []).append(name)
    if len(counted) == 1:
        n = next(iter(counted))
    else:
        arms = " ".join(f"WHEN '{name}' THEN {sql}" for sql, names in counted.items() for name in names)
        n = f"CASE p.facet {arms} END"
    limited = [name for name, facet in declared.items() if facet.limit]
    pruned = "TRUE"
    if limited:
        least = " ".join(f"WHEN '{name}' THEN (SELECT n FROM least_{name})" for name in limited)
        pruned = f"p.size >= CASE p.facet {least} ELSE 0 END"
    joins = "".join(f" LEFT JOIN {cte} ON {cte}.posting_id = p.id" for cte in few.values())
    names = ", ".join(f"'{name}'" for name in declared)
    return (
        f"SELECT '~', c.id::text, '', 0, c.n::integer FROM (SELECT p.id, {n} AS n FROM {POSTINGS} p"
        f"{joins} WHERE p.facet IN ({names}) AND {pruned}) c WHERE c.n > 0 AND {only_if}"
    )


def _listed(declared, terms, counted):
    """{facet name: [(value, label, place, n)]}: each facet's terms (facet_terms.terms) with the counts
    of their rows (`counted`: {facet row id: n}), as a listing takes them: every term of a facet that
    shows empty values, only those counted otherwise, and of a facet with a `limit` the largest counts
    (equal counts in the order of their values' code points)."""
    rows = {}
    for name, facet in declared.items():
        values = []
        for posting_id, value, label, place in terms.get(name, ()):
            n = counted.get(posting_id, 0)
            if n or facet.show_empty:
                values.append((value, label, place, n))
        if facet.limit and not facet.show_empty:
            values = sorted(values, key=lambda row: (-row[3], row[0]))[: facet.limit]
        rows[name] = values
    return rows


def _few_counts_sql(cte, others):
    """The CTE `cte` of (posting_id, n): how many of the search's matches within `others` (a bit
    string of m) each facet row holds, from the matches' records; empty unless the matches are few.

    The records are read by one index scan given every id (`= ANY`), and their arrays spread by
    `unnest` in the select list (a ProjectSet), where a join per id and a LATERAL unnest per record
    (a function scan, rescanned and its rows stored for each of them) cost `kidnapping`'s 65 matches
    0.06 ms more at 100,000 entries (0.55 to 0.49 ms for this part, after a page served, medians of 300;
    bench/anchor_notes.md)."""
    return (
        f"{cte} AS MATERIALIZED (SELECT r.posting_id, count(*) AS n FROM (SELECT unnest(e.posting_ids) AS posting_id "
        f"FROM {ENTRY_POSTINGS} e WHERE e.entry_id = ANY((SELECT ids FROM q)::bigint[]) "
        f"AND (SELECT yes FROM few) AND depository_has((SELECT {others} FROM m), e.entry_id::integer)) r "
        f"GROUP BY r.posting_id)"
    )


def _least_sql(name, others, base, searched=False):
    """A facet showing its `limit` largest counts need not count a value whose whole array is smaller
    than the smallest count among the `limit` largest arrays: it cannot enter the list. That count
    (0 when a search's matches are few: their counts cost nothing to take)."""
    facet = facets.by_name()[name]
    terms = _terms_sql(name, base)
    term_join = f"JOIN ({terms}) t ON t.key = p.value" if terms else ""
    largest = (
        f"SELECT p.entry_bits FROM {POSTINGS} p {term_join} "
        f"WHERE p.facet = '{name}' ORDER BY p.size DESC LIMIT {int(facet.limit)}"
    )
    counted = f"SELECT bit_count(p.entry_bits & {others}) AS n FROM m CROSS JOIN ({largest}) p"
    least = f"(SELECT coalesce(min(k.n), 0) AS n FROM ({counted}) k)"
    if searched:
        return f"least_{name} AS MATERIALIZED (SELECT CASE WHEN (SELECT yes FROM few) THEN 0 ELSE {least} END AS n)"
    return f"least_{name} AS MATERIALIZED {least}"


def _base_sql(base, column):
    return f"(SELECT {column} FROM {POSTINGS} WHERE facet = '{base[0]}' AND value = '{base[1]}')"


def _arrays(selected, base, search_ids_sql=None):
    """SQL of one row with the id array `base` (the base row's entries, and the search's matches) and
    one id array `f_<facet>` per chosen facet (the union of its chosen values); and its parameters."""
    params = []
    everything = _base_sql(base, "entry_ids")
    if search_ids_sql:
        sql, search_params = search_ids_sql
        everything = f"{everything} & {sql}"
        params.extend(search_params)
    columns = [f"coalesce({everything}, '{{}}'::integer[]) AS base"]
    for name, values in selected.items():
        sql, selection_params = _selection_sql(name, values, base)
        columns.append(f"{sql} AS f_{name}")
        params.extend(selection_params)
    return "SELECT " + ", ".join(columns), params


def _bit_strings(selected, base, searched):
    """SQL of one row with the bit strings `base_bits` (the base row, and with `searched` the search's
    matches, the column `ids` of the CTE `q`) and `fb_<facet>` per chosen facet (zeros when none of its
    values exists); and its parameters."""
    params = []
    raw = [f"coalesce({_base_sql(base, 'entry_bits')}, ''::bit varying) AS everything"]
    for name, values in selected.items():
        sql, selection_params = _selection_sql(name, values, base, bits=True)
        raw.append(f"{sql} AS chosen_{name}")
        params.extend(selection_params)
    # The search's matches arrive as bits (depository_matching, sql/search_terms.sql).
    start = "q.bits & r.everything" if searched else "r.everything"
    columns = [f"{start} AS base_bits"]
    columns += [f"coalesce(r.chosen_{name}, r.everything # r.everything) AS fb_{name}" for name in selected]
    source = "q CROSS JOIN " if searched else ""
    # OFFSET 0 keeps `r` a subquery evaluated once: pulled up into the outer SELECT, each mention of
    # r.everything became its own InitPlan (the base row read and its 12.5 kB bit string detoasted
    # three times or more).
    return f"SELECT {', '.join(columns)} FROM {source}(SELECT {', '.join(raw)} OFFSET 0) r", params


def _intersection(names):
    return " & ".join(["base", *(f"f_{name}" for name in names)])


def _bits_intersection(names):
    return " & ".join(["base_bits", *(f"fb_{name}" for name in names)])


def matching_ids(selected: Selected, base: Base, search_ids_sql: SQL | None) -> SQL:
    """SQL (and parameters) of the sorted integer[] of the entries of `base` matching the search and the
    filters: a few array intersections, in C."""
    selected = {name: values for name, values in selected.items() if values}
    sql, params = _arrays(selected, base, search_ids_sql)
    return f"(SELECT {_intersection(selected)} FROM ({sql}) s)", params


def matching_bits(selected: Selected, base: Base, matching_sql: SQL | None) -> SQL:
    """SQL (and parameters) of the bit string of the entries of `base` matching the search (`matching_sql`:
    text.matching_sql's row of depository_matching, or None) and the filters: for a page that walks the
    sort's index, a bit test per entry passed over. ANDing 12.5 kB strings costs ~0.05 ms at 100,000
    entries where intersecting the id arrays (the published row's alone is 89,000 ids) cost ~1 ms before
    the walk could start (issue 23)."""
    selected = {name: values for name, values in selected.items() if values}
    sql, params = _bit_strings(selected, base, bool(matching_sql))
    found = f"SELECT {_bits_intersection(selected)} FROM ({sql}) s"
    if matching_sql:
        search_sql, search_params = matching_sql
        return f"(WITH q AS (SELECT * FROM {search_sql}) {found})", [*search_params, *params]
    return f"({found})", params


def _candidates_sql(titles_sql, window):
    """The CTE `a` and the SQL of the array (as text) of the candidates for ranking a search by
    relevance: the `window` matches created last and as many of the matches with the words in their
    title. With `window` matches or fewer, that is every match: a small result is ranked exactly.

    Two sources, as the search was matched (depository_matching):
    - through the GIN index (`q.ids` known): the search's own ids whose bit is set in `m.matched_bits`
      (visibility and filters applied: a few bit tests per match, where intersecting id arrays would
      read the 400 kB array of every published entry), and the title matches from `titles_sql` (the
      SQL of the sorted array of the title matches, and its parameters);
    - through term rows (`q.ids` NULL): the last set bits of the matched bits and of the matched title
      bits (depository_last_ids: one or two 4,096-bit slices each), no id array at all.
    `a` is a MATERIALIZED CTE because it is read several times: as a subquery in FROM, PostgreSQL pulled
    it up and built the array three times (three InitPlans, ~8 ms each at 33,000 matches among 100,000
    entries)."""
    titles, title_params = titles_sql
    cte = (
        "a AS MATERIALIZED (SELECT CASE WHEN q.ids IS NOT NULL THEN ARRAY(SELECT i FROM unnest(q.ids) i "
        "WHERE depository_has(m.matched_bits, i) ORDER BY i) END AS ids, m.matched_bits, "
        "q.title_bits & m.matched_bits AS title_bits FROM q CROSS JOIN m), "
        "candidates AS MATERIALIZED (SELECT (CASE WHEN icount(a.ids) <= %s THEN a.ids WHEN a.ids IS NOT NULL THEN "
        "ARRAY(SELECT unnest(subarray(a.ids, greatest(icount(a.ids) - %s + 1, 1), %s)) "
        f"UNION SELECT t.id FROM (SELECT unnest(a.ids & {titles}) AS id ORDER BY 1 DESC LIMIT %s) t) "
        "ELSE depository_last_ids(a.matched_bits, %s) | depository_last_ids(a.title_bits, %s) END) AS ids FROM a)"
    )
    sql = "SELECT '#', candidates.ids::text, '', 0, 0 FROM candidates"
    return cte, sql, [window, window, window, *title_params, window, window, window]


# The order of a search by relevance (search._ORDER[Sort.RELEVANCE], then the key), over the alias `d` of
# the search documents, which carry the entry's columns of the order (EntrySearchDocument.year, ...),
# and the rank `rank`.
_RELEVANCE_ORDER = (
    "rank DESC, d.year DESC NULLS LAST, d.date_issued DESC NULLS LAST, d.published_at DESC NULLS LAST, "
    "d.created_at DESC, d.entry_id"
)


def _ranked_sql(rank_sql, top):
    """The part giving the `top` best candidates' ids in the order of a search by relevance (rank, then
    the newest work): ranked here, over the documents alone (they carry the order's columns of their
    entry), so that the page statement fetches only the page's rows (ranking inside it carried every
    candidate's whole row through the sort: 10-12 ms for `crime prevention`'s 421 candidates at 100,000
    entries, issue 23)."""
    sql, params = rank_sql
    return (
        "SELECT '>', ARRAY(SELECT r.id FROM (SELECT d.entry_id::integer AS id, "
        f"{sql} AS rank FROM candidates JOIN depository_entrysearchdocument d ON d.entry_id = ANY(candidates.ids) "
        f"ORDER BY {_RELEVANCE_ORDER} LIMIT %s) r)::text, '', 0, 0",
        [*params, top],
    )


def count(
    selected: Selected,
    base: Base,
    matching_sql: SQL | None = None,
    *,
    titles_sql: SQL | None = None,
    window: int = 0,
    rank_sql: SQL | None = None,
    top: int = 0,
) -> tuple[int, dict[str, list[CountedValue]], list[int] | None, list[int] | None]:
    """(number of entries of `base` matching, {facet name: [(value, label, place, n)]}, candidates) in one
    statement. `matching_sql`: the SQL (and parameters) of the row of the search's matches
    (text.matching_sql: depository_matching's ids, bits and title bits), or None. With
    `titles_sql` (see _candidates_sql), the sorted ids of the candidates for ranking; else None. With
    `rank_sql` too (text.rank_sql), the `top` best candidates' ids in relevance order (_ranked_sql); else
    None. Returns (total, counts, candidates, ranked)."""
    total, rows, candidates, ranked, _ = _count(
        selected, base, matching_sql, titles_sql=titles_sql, window=window, rank_sql=rank_sql, top=top
    )
    return total, rows, candidates, ranked


def count_at_generation(selected: Selected, base: Base) -> tuple[str | None, int, dict[str, list[CountedValue]]]:
    """(the index's generation, total, rows) of a search without words, as count() gives the total and
    rows, with the generation (GENERATION_SQL; None when its row is missing) read by the same statement,
    so of the same snapshot: one more row of its UNION ALL, as every counting statement has (counts_cache;
    facet_terms keeps the terms by it)."""
    total, rows, _, _, generation = _count(selected, base)
    return generation, total, rows


def _count(selected, base, matching_sql=None, *, titles_sql=None, window=0, rank_sql=None, top=0):
    """The one statement of count() and count_at_generation() (and, once per process after a write,
    facet_terms's): (total, rows, candidates, ranked, generation)."""
    selected = {name: values for name, values in selected.items() if values}
    declared = facets.by_name()
    candidates = ranked = None
    params = []
    ctes = []
    if matching_sql:
        sql, search_params = matching_sql
        ctes.append(f"q AS MATERIALIZED (SELECT * FROM {sql})")
        params.extend(search_params)
    bit_strings, bit_params = _bit_strings(selected, base, bool(matching_sql))
    params.extend(bit_params)
    columns = [f"{_bits_intersection(selected)} AS matched_bits"]
    others = {}
    for name in declared:
        if name not in selected:
            others[name] = "m.matched_bits"
        else:
            columns.append(f"{_bits_intersection([other for other in selected if other != name])} AS x_{name}")
            others[name] = f"m.x_{name}"
    ctes += [f"s AS MATERIALIZED ({bit_strings})", f"m AS MATERIALIZED (SELECT {', '.join(columns)} FROM s)"]
    few = {}  # bit string of m -> the CTE of its few matches' counts
    if matching_sql:
        ctes.append(f"few AS MATERIALIZED (SELECT icount(ids) <= {int(FEW_MATCHES)} AS yes FROM q)")
        for name in declared:
            if others[name] not in few:
                few[others[name]] = f"few_{len(few)}"
                ctes.append(_few_counts_sql(few[others[name]], others[name]))
    ctes += [
        _least_sql(name, others[name], base, searched=bool(matching_sql)) for name in declared if declared[name].limit
    ]
    parts = ["SELECT '', '', '', 0, bit_count(m.matched_bits) FROM m"]
    if matching_sql and titles_sql:
        candidates_cte, candidates_sql, candidates_params = _candidates_sql(titles_sql, window)
        ctes.append(candidates_cte)
        parts.append(candidates_sql)
        params.extend(candidates_params)
        if rank_sql:
            ranked_sql, ranked_params = _ranked_sql(rank_sql, top)
            parts.append(ranked_sql)
            params.extend(ranked_params)
    parts.append(_posting_counts_sql(declared, others, few))
    parts.append(f"SELECT '@', {GENERATION_SQL}, '', 0, 0 FROM {GENERATION} WHERE id = 1")
    public = base == PUBLISHED
    found = None if facet_terms.kept(public) is not None else {name: [] for name in declared}
    if found is not None:  # this process keeps no terms yet: read them with the counts, same statement
        parts += facet_terms.parts_sql(public)
    sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)
    total = 0
    generation = None
    counted = {}
    with read_connection().cursor() as cursor:  # the replica on a public page that reads from it
        prepared.execute(cursor, sql, params)  # planned once per connection
        for name, value, label, place, n in cursor.fetchall():
            if name == "~":
                counted[int(value)] = n
            elif name == "":
                total = n
            elif name == "#":
                candidates = sorted(int(pk) for pk in value.strip("{}").split(",") if pk)
            elif name == "@":
                generation = value
            elif name == ">":
                ranked = [int(pk) for pk in value.strip("{}").split(",") if pk]
            elif found is not None:
                facet_terms.collect(found, name, value, label, place, n)
    if found is not None:
        facet_terms.keep(public, generation, found)
    terms = found if found is not None else facet_terms.terms(public, generation)
    rows = _listed(declared, terms, counted)
    return total, rows, candidates, ranked, generation
