"""What an uploaded document is, decided from its content (never from its name)."""

import codecs
import hashlib
import os
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.sizes import size_and_limit
from depository.documents.extraction import ExtractionFailed, check_document

CHUNK_SIZE = 64 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# An entry smaller than this may compress as well as it likes (a stylesheet of repeated spaces).
RATIO_CHECK_MIN_BYTES = 1024 * 1024


class DocumentKind(models.TextChoices):
    PDF = "pdf", gettext_lazy("PDF")
    DOCX = "docx", gettext_lazy("Word document (DOCX)")
    ODT = "odt", gettext_lazy("OpenDocument text (ODT)")
    TXT = "txt", gettext_lazy("Plain text")

    @property
    def content_type(self):
        return CONTENT_TYPES[self]

    @classmethod
    def for_content_type(cls, content_type):
        """The kind inspect_upload recorded as `content_type`, or None."""
        return next((kind for kind, value in CONTENT_TYPES.items() if value == content_type), None)


CONTENT_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.ODT: "application/vnd.oasis.opendocument.text",
    DocumentKind.TXT: "text/plain; charset=utf-8",
}

# What each kind of upload accepts.
ATTACHMENT_KINDS = frozenset({DocumentKind.PDF, DocumentKind.DOCX, DocumentKind.ODT, DocumentKind.TXT})
PAPER_KINDS = frozenset({DocumentKind.PDF, DocumentKind.DOCX, DocumentKind.ODT})


class DocumentRejected(Exception):
    """The upload is refused; `message` is one translated sentence for the person who uploaded it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DocumentInfo:
    kind: DocumentKind
    content_type: str
    extension: str
    size: int
    sha256: str


def inspect_upload(uploaded_file, *, max_bytes, allowed_kinds=ATTACHMENT_KINDS):
    """Decide what `uploaded_file` (a Django File) is, or raise DocumentRejected.

    Order matters: the size is checked before anything is read, a zip's central directory before
    anything decompresses an entry, and a full parse (in the extraction sandbox) comes last.
    """
    size = uploaded_file.size
    if not size:
        raise DocumentRejected(_("The file is empty."))
    if size > max_bytes:
        raise DocumentRejected(_("The file is %(size)s; the limit is %(limit)s.") % size_and_limit(size, max_bytes))
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(b"%PDF-"):
        kind = DocumentKind.PDF
    elif head.startswith(b"PK\x03\x04"):
        kind = zip_document_kind(uploaded_file)
    elif is_plain_text(uploaded_file):
        kind = DocumentKind.TXT
    else:
        raise DocumentRejected(not_allowed_message(allowed_kinds))
    if kind not in allowed_kinds:
        raise DocumentRejected(
            _("%(kind)s files are not accepted here. %(allowed)s")
            % {"kind": kind.label, "allowed": not_allowed_message(allowed_kinds)}
        )
    sha256 = hash_file(uploaded_file)
    if kind != DocumentKind.TXT:
        parse_in_sandbox(uploaded_file, kind)
    uploaded_file.seek(0)
    return DocumentInfo(kind=kind, content_type=kind.content_type, extension=kind.value, size=size, sha256=sha256)


def not_allowed_message(allowed_kinds):
    labels = [str(kind.label) for kind in DocumentKind if kind in allowed_kinds]
    return _("Please upload one of: %(kinds)s.") % {"kinds": get_text_list(labels, _("or"))}


def zip_document_kind(uploaded_file):
    """DOCX or ODT, from the archive's central directory; refuses zip bombs before any entry is inflated."""
    try:
        archive = zipfile.ZipFile(uploaded_file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise DocumentRejected(_("The file looks like a document archive but is damaged.")) from None
    with archive:
        entries = check_zip_limits(archive)
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            if is_macro_enabled(archive, names):
                raise DocumentRejected(
                    _(
                        "The file is a macro-enabled Word document (.docm), whatever its name says; macros are "
                        "not accepted. Save it as a Word document (.docx) or PDF and upload that."
                    )
                )
            return DocumentKind.DOCX
        if entries and entries[0].filename == "mimetype" and entries[0].file_size <= 100:
            try:
                mimetype = archive.read(entries[0])
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
                mimetype = b""
            if mimetype.strip() == ODT_MIMETYPE:
                return DocumentKind.ODT
    raise DocumentRejected(_("The file is an archive, not a DOCX or ODT document."))


def is_macro_enabled(archive, names):
    """A .docm (macro-enabled) package, whatever its file name: it carries a VBA project, or its
    [Content_Types].xml declares the macroEnabled main part (ECMA-376 Part 2; MS-OFFMACRO)."""
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return True
    try:
        content_types = archive.read("[Content_Types].xml")  # size bounded by check_zip_limits
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, KeyError):
        return False
    return b"macroenabled" in content_types.lower()


def check_zip_limits(archive):
    """The archive's entries, if its central directory promises nothing dangerous; else DocumentRejected.
    Nothing is decompressed: the declared sizes bound what zipfile will ever inflate."""
    entries = archive.infolist()
    if len(entries) > settings.DOCUMENT_MAX_ZIP_ENTRIES:
        raise DocumentRejected(
            _("The document holds %(count)s parts; at most %(limit)s are accepted.")
            % {"count": len(entries), "limit": settings.DOCUMENT_MAX_ZIP_ENTRIES}
        )
    uncompressed = sum(entry.file_size for entry in entries)
    if uncompressed > settings.DOCUMENT_MAX_UNCOMPRESSED_BYTES:
        raise DocumentRejected(
            _("The document unpacks to %(size)s; at most %(limit)s are accepted.")
            % size_and_limit(uncompressed, settings.DOCUMENT_MAX_UNCOMPRESSED_BYTES)
        )
    for entry in entries:
        if entry.file_size >= RATIO_CHECK_MIN_BYTES and (
            entry.file_size > settings.DOCUMENT_MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
        ):
            raise DocumentRejected(_("The document is compressed suspiciously well (a 'zip bomb'); it was not opened."))
    return entries


def is_plain_text(uploaded_file):
    """Valid UTF-8 without NUL bytes (which no text file holds and every binary format does)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    uploaded_file.seek(0)
    try:
        for chunk in uploaded_file.chunks(CHUNK_SIZE):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        uploaded_file.seek(0)
    return True


def hash_file(uploaded_file):
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks(CHUNK_SIZE):
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def parse_in_sandbox(uploaded_file, kind):
    """Open the document with the real parser, in the extraction sandbox, from a temporary copy."""
    path = getattr(uploaded_file, "temporary_file_path", None)
    if path is not None:
        try_check(path(), kind)
        return
    handle, temporary = tempfile.mkstemp(suffix=f".{kind}", prefix="upload-")
    try:
        with os.fdopen(handle, "wb") as copy:
            uploaded_file.seek(0)
            for chunk in uploaded_file.chunks(CHUNK_SIZE):
                copy.write(chunk)
        try_check(temporary, kind)
    finally:
        os.unlink(temporary)


def try_check(path, kind):
    try:
        check_document(path, kind)
    except ExtractionFailed as failure:
        if failure.code == "password":
            raise DocumentRejected(failure.reason) from None
        raise DocumentRejected(
            _("The file could not be read as %(kind)s: %(reason)s") % {"kind": kind.label, "reason": failure.reason}
        ) from None


# Characters Windows refuses in file names, and bidirectional overrides that disguise an extension.
RESERVED = set('<>:"/\\|?*')
KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}  # zero-width (non-)joiners: part of Persian and Indic words
MAX_NAME_LENGTH = 200


def safe_display_name(name, *, default="document"):
    """A file name fit to show and to offer as a download name: no directories, no control or
    bidirectional-override characters, letters of every script kept."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = []
    for character in name:
        category = unicodedata.category(character)
        if category in {"Cc", "Cs", "Co", "Cn"}:
            continue
        if category == "Cf" and character not in KEPT_FORMAT_CHARACTERS:
            continue
        if category.startswith("Z"):
            character = " "
        cleaned.append("_" if character in RESERVED else character)
    name = " ".join("".join(cleaned).split()).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(suffix) - 1].rstrip(" .") + "." + suffix
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    return name or default
