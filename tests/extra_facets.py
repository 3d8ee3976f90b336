"""Facets a test adds to the registry (settings.DEPOSITORY_FACETS), over entry data no facet reads:
one declaration each, nothing else (tests/test_facet_registry.py)."""

import re

from depository.facets import ChoiceFacet, CountFacet
from depository.models import CreatorKind

# The entry's own column: the values are the stored texts, each its own label, largest counts first.
PUBLISHER = CountFacet("publisher", "Publisher", limit=40, values_pattern=re.compile(r"^[^\x00-\x1f<>]{1,300}$"))

# A relation the search did not watch: its table gets the change queue's triggers when installed.
CREATOR_KIND = ChoiceFacet(
    "creator_kind",
    "Kind of creator",
    show_empty=True,
    choices=CreatorKind.choices,
    values_sql="SELECT c.kind, c.entry_id FROM k JOIN depository_creator c ON c.entry_id = k.id",
    watch=(("depository_creator", "SELECT entry_id FROM %s"),),
)
