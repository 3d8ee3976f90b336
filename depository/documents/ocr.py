"""Text recognition (OCR) of scanned PDFs: Debian's `ocrmypdf` CLI driving Tesseract.

Called by the task worker (depository.tasks) when a PDF opened fine but has no text layer. Like the
extraction sandbox, the child runs within DOCUMENT_EXTRACTION_MEMORY_MB of address space (RLIMIT_AS,
inherited by Ghostscript and Tesseract) and as many CPU seconds per process as DOCUMENT_OCR_TIMEOUT
(by default DOCUMENT_EXTRACTION_TIMEOUT) allows of wall-clock time (killed with its whole process
group after that), one job, and writes only into a temporary directory that
is removed afterwards. Only the recognised text (`--sidecar`) is kept, not a rewritten PDF.

Why ocrmypdf rather than pytesseract: it rasterises each page (Ghostscript) at the right resolution,
skips pages that already have text, and is packaged by Debian with Tesseract, so there is no PDF
renderer of our own to keep.
"""

import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from depository.documents.extraction import ExtractionFailed

# The portal's languages (depository.models.Language values) as Tesseract's traineddata names.
TESSERACT_LANGUAGES = {"en": "eng", "es": "spa", "fr": "fra", "ar": "ara"}


def ocr_available():
    """True when the `ocrmypdf` command is on PATH (installed by `make run` / `make test`: ocr-deps)."""
    return shutil.which("ocrmypdf") is not None


def tesseract_languages(language):
    """Tesseract's `-l` argument for a document in `language` (a Language value, e.g. "ar"): that
    language first, then English (titles, names and figures in scanned reports are often English);
    all four when the language is not known. Returns e.g. "ara+eng"."""
    first = TESSERACT_LANGUAGES.get(language)
    if first is None:
        return "+".join(TESSERACT_LANGUAGES.values())
    return "+".join(dict.fromkeys([first, "eng"]))


def recognise_text(path, *, language=None):
    """The text Tesseract reads in the page images of the PDF at `path` (str, may be "").

    Raises ExtractionFailed with a sentence for organizers when OCR is not installed, exceeds the
    time or memory limit, or fails on the file."""
    if not ocr_available():
        raise ExtractionFailed(_("Text recognition (OCR) is not installed on the server."))
    timeout = settings.DOCUMENT_OCR_TIMEOUT
    memory = settings.DOCUMENT_EXTRACTION_MEMORY_MB * 1024 * 1024

    def limit():  # in the child, before exec: bounds ocrmypdf and every program it starts
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (timeout, timeout + 1))  # per process, as for extraction
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    with tempfile.TemporaryDirectory(prefix="ocr-") as workdir:
        sidecar = Path(workdir) / "text.txt"
        command = [
            "ocrmypdf",
            "--quiet",
            "--jobs",
            "1",
            "--skip-text",
            "--output-type",
            "none",
            "--sidecar",
            str(sidecar),
            "-l",
            tesseract_languages(language),
            str(path),
            "-",
        ]
        environment = {**os.environ, "TMPDIR": workdir, "OMP_THREAD_LIMIT": "1"}
        process = subprocess.Popen(  # noqa: S603 - fixed command, the path is an argument, no shell
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environment,
            cwd=workdir,
            preexec_fn=limit,  # noqa: PLW1509 - only setrlimit, no threads in the task worker
            start_new_session=True,  # its own process group: a timeout kills Ghostscript and Tesseract too
        )
        try:
            _stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ExtractionFailed(
                _("Text recognition (OCR) took longer than the limit of %(seconds)s seconds.") % {"seconds": timeout}
            ) from None
        if process.returncode != 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            if b"MemoryError" in stderr or b"Cannot allocate memory" in stderr:
                raise ExtractionFailed(
                    _("Text recognition (OCR) needed more than the limit of %(megabytes)s MB of memory.")
                    % {"megabytes": settings.DOCUMENT_EXTRACTION_MEMORY_MB},
                    detail=detail[0][:500],
                )
            raise ExtractionFailed(_("Text recognition (OCR) failed on this file."), detail=detail[0][:500])
        text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
    # ocrmypdf writes a form feed between pages and a placeholder for pages that already had text.
    text = re.sub(r"\[OCR skipped on page\(s\) [^\]]*\]", "", text).replace("\x0c", "\n\n").replace("\x00", "")
    return text.strip()
