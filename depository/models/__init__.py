"""The depository: the typology's vocabularies, entries, their files and the glossary.

It builds on the floors beneath it (core, places, people) and imports no app above it: meetings,
members, alerts, usage and the portal build on it (docs/architecture.md).
"""

from depository.models.attachments import Attachment, ExtractionStatus
from depository.models.creators import Creator, CreatorKind, CreatorRole
from depository.models.entries import (
    DatePrecision,
    Entry,
    EntryKind,
    EntryQuerySet,
    EntryStatus,
    EvidenceLevel,
    GlossaryTerm,
    ItemType,
    Language,
)
from depository.models.entry_imports import EntryImport, EntryImportStatus
from depository.models.imports import ImportStatus, ReferenceFormat, ReferenceImport
from depository.models.postings import EntryPostings, FacetPosting, TermPosting
from depository.models.search_documents import EntrySearchDocument, SearchQueue
from depository.models.tags import InternalTag
from depository.models.vocabulary import CityType, Theme, ViolenceType, Vocabulary

__all__ = [
    "Attachment",
    "CityType",
    "Creator",
    "CreatorKind",
    "CreatorRole",
    "DatePrecision",
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
    "TermPosting",
    "SearchQueue",
    "InternalTag",
    "ItemType",
    "GlossaryTerm",
    "ImportStatus",
    "ReferenceFormat",
    "ReferenceImport",
    "Language",
    "Theme",
    "ViolenceType",
    "Vocabulary",
]
