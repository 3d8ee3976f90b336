"""Text extraction in a child process with memory, CPU and wall-clock limits.

A web or task worker never parses an uploaded document itself: it starts `extract_worker.py` in a
fresh interpreter (``python -I -B``: no user site, no environment, no bytecode writes), which lowers
its own RLIMIT_AS and RLIMIT_CPU before importing a parser. The parent kills it after
DOCUMENT_EXTRACTION_TIMEOUT seconds of wall-clock time, so a file that makes a parser loop or
sleep costs that many seconds and nothing more. The child is killed by the kernel when its parent
dies, so a killed worker leaves no extractor behind.
"""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

WORKER_SCRIPT = Path(__file__).with_name("extract_worker.py")


class ExtractionFailed(Exception):
    """The document could not be read: `reason` is one short sentence for organizers."""

    def __init__(self, reason, *, detail="", code="unreadable"):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.code = code  # "password" for a password-protected file: the message already says all

    def __str__(self):
        return f"{self.reason} ({self.detail})" if self.detail else str(self.reason)


@dataclass(frozen=True)
class ExtractionResult:
    text: str
    page_count: int | None
    truncated: bool = False


def extract_text(path, kind):
    """The text and page count of the document at `path`, whose `kind` inspect_upload decided."""
    result = run_worker("extract", path, kind, timeout=settings.DOCUMENT_EXTRACTION_TIMEOUT)
    return ExtractionResult(text=result["text"], page_count=result["page_count"], truncated=result["truncated"])


def check_document(path, kind):
    """Open the document the way extraction will, in the sandbox; ExtractionFailed if it cannot.
    Runs while an upload is validated, so within the shorter DOCUMENT_CHECK_TIMEOUT."""
    run_worker("check", path, kind, timeout=settings.DOCUMENT_CHECK_TIMEOUT)


def run_worker(mode, path, kind, *, timeout):
    command = [
        sys.executable,
        "-I",
        "-B",
        str(WORKER_SCRIPT),
        mode,
        kind,
        str(path),
        str(settings.DOCUMENT_EXTRACTION_MEMORY_MB),
        str(max(1, int(timeout))),
        str(settings.DOCUMENT_MAX_TEXT_CHARS),
        # The child dies with this process (PR_SET_PDEATHSIG, set by the child from the main thread's
        # fork: the kernel signals when the forking thread ends, and web and task workers call this
        # from their main thread).
        str(os.getpid()),
    ]
    started = time.monotonic()
    try:
        completed = subprocess.run(  # noqa: S603 - fixed command, the path is an argument, no shell
            command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has killed and reaped the child.
        raise ExtractionFailed(
            _("Reading the file took longer than the limit of %(seconds)s seconds.") % {"seconds": timeout}
        ) from None
    if completed.returncode != 0:
        elapsed = time.monotonic() - started
        if completed.returncode < 0:
            detail = f"killed by signal {-completed.returncode} after {elapsed:.1f} s"
        else:
            detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            detail = detail[0][:500]
        raise ExtractionFailed(_("Reading the file exceeded the time or memory limit."), detail=detail)
    try:
        result = json.loads(completed.stdout)
    except ValueError:
        raise ExtractionFailed(_("The text extractor returned no result.")) from None
    if result.get("error") == "memory":
        raise ExtractionFailed(
            _("Reading the file needed more than the limit of %(megabytes)s MB of memory.")
            % {"megabytes": settings.DOCUMENT_EXTRACTION_MEMORY_MB}
        )
    if result.get("error") == "password":
        raise ExtractionFailed(
            _("The PDF is protected by a password. Upload a copy saved without the password."), code="password"
        )
    if "error" in result:
        raise ExtractionFailed(_("The file is damaged or not a readable document."), detail=result.get("detail", ""))
    return result
