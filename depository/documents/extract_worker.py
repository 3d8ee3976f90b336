"""The sandboxed half of text extraction: runs in its own short-lived process.

`depository.documents.extraction` starts this file as
``python -I extract_worker.py MODE KIND PATH MEMORY_MB CPU_SECONDS MAX_CHARS PARENT_PID`` and reads one JSON
object from its standard output. The process lowers its own resource limits before it imports a
single parser, so a hostile file can at worst exhaust this process, never the web or task worker
that started it. It imports nothing from the project and needs no Django settings.

MODE is ``check`` (open the document the way extraction will; used while validating an upload)
or ``extract`` (return the text and the page count).
"""

import ctypes
import json
import os
import re
import resource
import signal
import sys
import zipfile

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid):
    """Have the kernel SIGKILL this process when the worker that started it dies (Linux's
    PR_SET_PDEATHSIG), so a killed web or task worker leaves no extractor running (issue 13). The
    parent may already be gone by the time this runs: then exit at once."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's wall-clock timeout still applies
        pass
    if os.getppid() != parent_pid:
        sys.exit(1)


class PasswordProtected(Exception):
    """The document opens only with a password: reported as such, not as a damaged file."""


def limit_resources(memory_mb, cpu_seconds):
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # The soft limit sends SIGXCPU (which kills the process); the hard limit one second later, SIGKILL.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # reads only: no file may be written


def pdf(path, mode):
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    # An owner-password-only PDF opens with the empty user password; anything else cannot be read.
    if reader.is_encrypted and not reader.decrypt(""):
        raise PasswordProtected("the PDF needs a password to open")
    pages = reader.pages
    page_count = len(pages)
    if page_count == 0:
        raise ValueError("the PDF has no pages")
    if mode == "check":
        pages[0].get_contents()
        return "", page_count
    return "\n\n".join(page.extract_text() or "" for page in pages), page_count


def docx(path, mode):
    import docx as python_docx

    document = python_docx.Document(path)
    if mode == "check":
        return "", None
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts), docx_page_count(path)


def docx_page_count(path):
    # Word records the page count it last laid out in docProps/app.xml; other writers may not.
    with zipfile.ZipFile(path) as archive:
        try:
            app = archive.read("docProps/app.xml").decode("utf-8", "replace")
        except KeyError:
            return None
    match = re.search(r"<(?:\w+:)?Pages>(\d+)</(?:\w+:)?Pages>", app)
    return int(match.group(1)) if match else None


def odt(path, mode):
    from odf import teletype
    from odf.namespaces import METANS, TEXTNS
    from odf.opendocument import load

    document = load(path)
    if mode == "check":
        return "", None
    blocks = {(TEXTNS, "p"), (TEXTNS, "h")}
    parts = []
    pending = [document.text]
    while pending:  # depth first, in document order; paragraphs nest inside lists, tables and frames
        node = pending.pop()
        if getattr(node, "qname", None) in blocks:
            parts.append(teletype.extractText(node))
        else:
            pending.extend(reversed(node.childNodes))
    page_count = None
    for statistic in document.meta.childNodes:
        if statistic.qname == (METANS, "document-statistic"):
            value = statistic.attributes.get((METANS, "page-count"))
            page_count = int(value) if value and value.isdigit() else None
    return "\n".join(parts), page_count


def txt(path, mode):
    with open(path, encoding="utf-8-sig") as handle:
        return handle.read(), None


READERS = {"pdf": pdf, "docx": docx, "odt": odt, "txt": txt}


def main(argv):
    mode, kind, path, memory_mb, cpu_seconds, max_chars, parent_pid = argv
    die_with_parent(int(parent_pid))
    limit_resources(int(memory_mb), int(cpu_seconds))
    try:
        text, page_count = READERS[kind](path, mode)
    except MemoryError:
        result = {"error": "memory"}
    except PasswordProtected as error:
        result = {"error": "password", "detail": str(error)}
    except Exception as error:  # noqa: BLE001 - every parser raises its own errors on junk
        result = {"error": "unreadable", "detail": f"{type(error).__name__}: {error}"[:500]}
    else:
        text = text.replace("\x00", "")
        result = {"text": text[: int(max_chars)], "page_count": page_count, "truncated": len(text) > int(max_chars)}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
