"""Uploaded documents: the one place that decides what an upload is and gets its text.

    info = inspect_upload(uploaded_file, max_bytes=..., allowed_kinds=PAPER_KINDS)  # or DocumentRejected
    result = extract_text(path, info.kind)  # in a sandboxed child process, or ExtractionFailed
    with delete_stored_files_on_error() as stored:  # no file left behind if the transaction fails
        ...; instance.save(); stored.append(instance.file)

Used by the depository's attachments and the members' input papers; see docs/files.md.
"""

from depository.documents.cleanup import delete_file_on_commit, delete_stored_files_on_error
from depository.documents.extraction import ExtractionFailed, ExtractionResult, extract_text
from depository.documents.inspection import (
    ATTACHMENT_KINDS,
    PAPER_KINDS,
    DocumentInfo,
    DocumentKind,
    DocumentRejected,
    inspect_upload,
    safe_display_name,
)

__all__ = [
    "ATTACHMENT_KINDS",
    "PAPER_KINDS",
    "DocumentInfo",
    "DocumentKind",
    "DocumentRejected",
    "ExtractionFailed",
    "ExtractionResult",
    "delete_file_on_commit",
    "delete_stored_files_on_error",
    "extract_text",
    "inspect_upload",
    "safe_display_name",
]
