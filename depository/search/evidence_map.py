# ruff: noqa: S608 (the SQL is built from the code's own table and facet names; values are parameters)
"""The evidence and gap map (the typology page): themes down, city types or violence types across, each
cell the number of entries with both and the strongest evidence level among them, counted from the
facet index (facet_index: the same rows, bit strings and filters as the browse page's counts), so
that a cell's number is the number of entries its link to the browse page lists.

One statement: the matches of the page's other filters (kind, language, years, ...) as a bit string,
ANDed with each theme's row and each column term's row, and each cell with each evidence level's row.
"""

import math
from dataclasses import dataclass, field

from django.http import QueryDict

from core.db_routers import read_connection
from core.roles import is_organizer
from depository.filters import EntryFilterSet
from depository.models import CityType, Entry, EvidenceLevel, Theme, ViolenceType
from depository.search import facet_index, prepared

# The map's columns: the query-string value of `?columns=` -> (facet name, vocabulary).
COLUMNS = {"city_type": CityType, "violence_type": ViolenceType}
ROWS = "theme"
# Strongest first.
EVIDENCE_ORDER = [EvidenceLevel.EVALUATED, EvidenceLevel.DOCUMENTED, EvidenceLevel.ANECDOTAL]


@dataclass
class Cell:
    row: Theme
    column: object
    count: int = 0
    # The strongest evidence level among the cell's entries ('' when none of them has one).
    strongest: str = ""
    url: str = ""
    # The mark's radius in the 32-unit square the template draws it in: its area grows with the count.
    radius: float = 0.0

    @property
    def strongest_label(self):
        return EvidenceLevel(self.strongest).label if self.strongest else ""


@dataclass
class EvidenceMap:
    filterset: EntryFilterSet
    columns_facet: str = "city_type"
    errors: dict | None = None
    themes: list = field(default_factory=list)
    columns: list = field(default_factory=list)
    # [(theme, URL of the browse page filtered to it, [Cell per column])], parent themes each
    # followed by their sub-themes.
    rows: list = field(default_factory=list)
    largest: int = 0


def ordered_themes():
    """Every theme, each top-level theme followed by its sub-themes (by position, then name). One query."""
    themes = list(Theme.objects.select_related("parent"))
    children = {}
    for theme in themes:
        children.setdefault(theme.parent_id, []).append(theme)
    return [item for parent in children.get(None, []) for item in [parent, *children.get(parent.pk, [])]]


def _cells_sql(selected, base, columns_facet):
    """SQL of (theme id, column term id, count, strongest evidence level) of the non-empty cells."""
    bit_strings, params = facet_index._bit_strings(selected, base, searched=False)
    postings = facet_index.POSTINGS
    order = ", ".join(f"'{level}'" for level in EVIDENCE_ORDER)
    sql = (
        f"WITH s AS MATERIALIZED ({bit_strings}), "
        f"m AS MATERIALIZED (SELECT {facet_index._bits_intersection(selected)} AS matched_bits FROM s), "
        f"r AS MATERIALIZED (SELECT p.value, p.entry_bits & m.matched_bits AS bits FROM m "
        f"CROSS JOIN {postings} p WHERE p.facet = '{ROWS}'), "
        f"cell AS MATERIALIZED (SELECT r.value AS row_key, c.value AS column_key, r.bits & c.entry_bits AS bits "
        f"FROM r CROSS JOIN {postings} c WHERE c.facet = '{columns_facet}') "
        f"SELECT cell.row_key, cell.column_key, bit_count(cell.bits), "
        f"coalesce((SELECT e.value FROM {postings} e WHERE e.facet = 'evidence' "
        f"AND bit_count(e.entry_bits & cell.bits) > 0 ORDER BY array_position(ARRAY[{order}], e.value) LIMIT 1), '') "
        f"FROM cell WHERE bit_count(cell.bits) > 0"
    )
    return sql, params


# The marks' radii: the largest cell's, and the smallest a non-empty cell gets (still seen and clicked).
LARGEST_RADIUS, SMALLEST_RADIUS = 15.0, 4.0


def evidence_map(params, viewer, *, columns: str = "city_type", browse_url: str = "", column_terms=None) -> EvidenceMap:
    """The map for the query string `params` (the browse page's filters; the theme and the columns'
    facet are the map's axes, so their own filters are left out) as `viewer` may see it: published
    entries for the public, every entry for organizers (as the browse page counts). Each cell's `url`
    is `browse_url` with the cell's theme and column term and the other filters. `column_terms`: the
    columns' vocabulary's terms when the caller has them. Three queries (two with `column_terms`): the
    themes, the column terms, the cells."""
    columns = columns if columns in COLUMNS else "city_type"
    # The map's form sends its "any kind", "any language" and blank years as empty values: no filter.
    given = QueryDict(mutable=True)
    for key in params:
        given.setlist(key, [value for value in params.getlist(key) if value.strip()])
    filterset = EntryFilterSet(given, queryset=Entry.objects.all())
    result = EvidenceMap(filterset=filterset, columns_facet=columns)
    if not filterset.is_valid():
        result.errors = filterset.errors
        return result
    selected = {name: values for name, values in filterset.selected().items() if values and name not in (ROWS, columns)}
    base = facet_index.EVERYTHING if is_organizer(viewer) else facet_index.PUBLISHED
    result.themes = ordered_themes()
    result.columns = list(column_terms if column_terms is not None else COLUMNS[columns].objects.all())
    sql, sql_params = _cells_sql(selected, base, columns)
    with read_connection().cursor() as cursor:  # the replica on a public page that reads from it
        prepared.execute(cursor, sql, sql_params)
        counted = {(row_key, column_key): (n, strongest) for row_key, column_key, n, strongest in cursor.fetchall()}
    result.largest = max((n for n, _ in counted.values()), default=0)
    for theme in result.themes:
        cells = []
        for column in result.columns:
            n, strongest = counted.get((str(theme.pk), str(column.pk)), (0, ""))
            query = filterset.query_string(q=None, sort=None, **{ROWS: theme.slug, columns: column.slug})
            radius = SMALLEST_RADIUS + (LARGEST_RADIUS - SMALLEST_RADIUS) * math.sqrt(n / result.largest) if n else 0
            cells.append(Cell(theme, column, n, strongest, f"{browse_url}?{query}", round(radius, 1)))
        row_query = filterset.query_string(q=None, sort=None, **{ROWS: theme.slug})
        result.rows.append((theme, f"{browse_url}?{row_query}", cells))
    return result
