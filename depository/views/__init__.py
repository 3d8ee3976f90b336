"""The depository's public pages, one module per responsibility."""

from depository.views.browse import browse
from depository.views.entry import attachment_download, entry_detail
from depository.views.exports import briefing_pack, entry_citation, literature_export
from depository.views.pages import glossary, literature, typology

__all__ = [
    "attachment_download",
    "briefing_pack",
    "browse",
    "entry_citation",
    "entry_detail",
    "glossary",
    "literature",
    "literature_export",
    "typology",
]
