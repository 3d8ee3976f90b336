"""The depository: the typology's vocabularies, cities, entries, their files and the glossary.

This app imports no other app of the portal; meetings and members build on it.
"""

from depository.models.attachments import Attachment, ExtractionStatus
from depository.models.creators import Creator, CreatorKind, CreatorRole
from depository.models.entries import (
    Entry,
    EntryKind,
    EntryQuerySet,
    EntryStatus,
    EvidenceLevel,
    GlossaryTerm,
    Language,
    is_curator,
)
from depository.models.entry_imports import EntryImport, EntryImportStatus
from depository.models.imports import ImportStatus, ReferenceFormat, ReferenceImport
from depository.models.postings import EntryPostings, FacetPosting
from depository.models.search_documents import EntrySearchDocument, SearchQueue
from depository.models.tags import InternalTag
from depository.models.vocabulary import City, CityType, Theme, ViolenceType, Vocabulary

__all__ = [
    "Attachment",
    "City",
    "CityType",
    "Creator",
    "CreatorKind",
    "CreatorRole",
    "Entry",
    "EntryImport",
    "EntryImportStatus",
    "EntryKind",
    "EntryQuerySet",
    "EntryPostings",
    "EntrySearchDocument",
    "EntryStatus",
    "EvidenceLevel",
    "ExtractionStatus",
    "FacetPosting",
    "SearchQueue",
    "InternalTag",
    "GlossaryTerm",
    "ImportStatus",
    "ReferenceFormat",
    "ReferenceImport",
    "Language",
    "Theme",
    "ViolenceType",
    "Vocabulary",
    "is_curator",
]
