"""Harvest workflows (docs/harvesting.md): start a run, run it, accept or reject its candidates.

A run reads the whole answer of the source first and writes its candidates, counts and the source's
new state in one transaction at the end: a source that fails halfway (a timeout, a 500, a bad
resumption token) leaves a FAILED run with its error and nothing else. Only the run's progress (pages
and records read so far) is written while it lists, each page's in its own short transaction. Nothing
reaches the depository unless an organizer accepts it; new records become draft entries through the
depository's own import (depository.references.run_import: creators, keywords and identifiers handled
once).
"""

import datetime
import json
import logging
from email.message import Message
from urllib.parse import unquote, urlsplit

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from depository.csl import entry_values
from depository.documents import DocumentKind, DocumentRejected, inspect_upload
from depository.models import Attachment, Entry, EntryStatus
from depository.references import Outcome, check_references, read_references, run_import
from depository.services import archive_entries, replace_creators
from harvest.fetch import Fetcher, FetchError, origin_of
from harvest.models import (
    CandidateKind,
    CandidateStatus,
    HarvestCandidate,
    HarvestRun,
    Provenance,
    RunPhase,
    RunStatus,
    Source,
    SourceKind,
)
from harvest.sources import HarvestError, harvest_source, zotero_headers

logger = logging.getLogger(__name__)

# The entry's columns a changed-upstream candidate may offer to update (never its status, kind, slug,
# annotation or vocabularies: those are the organizers').
DIFF_EXCLUDED = {"other_variables"}
DOCUMENT_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "text/plain",
}
# What a document link may answer: the document types, and the generic "a download" types many
# repositories (DSpace's bitstreams among them) send for every file; either way the content itself is
# then checked as an upload is (depository.documents.inspect_upload), never the declared type.
DOCUMENT_RESPONSE_TYPES = DOCUMENT_TYPES | {"application/octet-stream", "binary/octet-stream"}


# -- Runs -----------------------------------------------------------------------------------------------
def start_run(*, source, user=None, enqueue=True):
    """A queued run of `source`, handed to the task worker once the transaction commits (unless the
    caller runs it itself)."""
    from harvest.tasks import harvest_task

    run = HarvestRun.objects.create(source=source, requested_by=user)
    if enqueue:
        transaction.on_commit(lambda: harvest_task.enqueue(run.pk))
    return run


def start_enabled_runs(*, enqueue=True):
    """A queued run of every enabled source that has none queued or running; returns them."""
    busy = HarvestRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).values("source")
    sources = Source.objects.filter(enabled=True).exclude(pk__in=busy)
    return [start_run(source=source, enqueue=enqueue) for source in sources]


def since_of(source):
    if source.kind == SourceKind.ZOTERO:
        return str(source.zotero_library_version) if source.zotero_library_version is not None else ""
    return source.last_datestamp


def run_harvest(run, *, fetcher=None):
    """Run a queued run to its end: DONE with its candidates, or FAILED with its error. Returns the status.

    While it lists the source, each page read is written on the run (`pages`, `records`, `progress_at`)
    by one UPDATE committed on its own (the task worker runs a task outside any transaction), so the
    admin, in another connection, follows it; then `phase` "comparing" while the candidates are compared
    and written, in one transaction with the counts and the source's new state. A failure anywhere leaves
    the run FAILED with its error and its last progress, and no candidate of it at all."""
    source = run.source
    since = since_of(source)
    HarvestRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, phase=RunPhase.LISTING, started_at=timezone.now(), progress_at=timezone.now(),
        since=since,
    )  # fmt: skip

    def progress(pages, records):
        HarvestRun.objects.filter(pk=run.pk).update(pages=pages, records=records, progress_at=timezone.now())

    try:
        harvested = harvest_source(source, fetcher or Fetcher(), since=since, progress=progress)
        HarvestRun.objects.filter(pk=run.pk).update(
            phase=RunPhase.COMPARING, records=len(harvested.records), progress_at=timezone.now()
        )
        with transaction.atomic():
            counts = write_candidates(run, source, harvested.records)
            state = harvested.state or since
            if source.kind == SourceKind.ZOTERO:
                Source.objects.filter(pk=source.pk).update(zotero_library_version=int(state) if state else None)
            else:
                Source.objects.filter(pk=source.pk).update(last_datestamp=state)
            HarvestRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE, phase=RunPhase.DONE, finished_at=timezone.now(), progress_at=timezone.now(),
                records=len(harvested.records), **counts,
            )  # fmt: skip
        return RunStatus.DONE
    except HarvestError as error:
        message = str(error)
    except Exception as error:  # noqa: BLE001 (any failure ends the run FAILED, logged, with nothing written)
        logger.exception("Harvest run %s of source %s failed", run.pk, source.pk)
        message = _("Unexpected error: %(error)s") % {"error": f"{type(error).__name__}: {error}"}
    logger.warning("Harvest run %s of source %s failed: %s", run.pk, source.pk, message)
    HarvestRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(), error=message)
    return RunStatus.FAILED


def latest_per_identifier(records):
    """One record per upstream identifier, the last one read (a repository may list a record twice)."""
    by_id = {}
    for record in records:
        by_id.pop(record.identifier, None)
        by_id[record.identifier] = record
    return list(by_id.values())


def write_candidates(run, source, records):
    """The candidates of a run's records, written; the run's counts. A fixed number of queries."""
    records = latest_per_identifier(records)
    provenance = {
        p.upstream_id: p
        for p in Provenance.objects.filter(source=source, upstream_id__in=[r.identifier for r in records])
    }
    readable = [r for r in records if not r.deleted and not r.error]
    references = read_references(json.dumps([r.item for r in readable]), "csl-json") if readable else []
    reference_of = {r.identifier: ref for r, ref in zip(readable, references, strict=True)}
    fresh = [r for r in readable if r.identifier not in provenance]
    outcomes = dict(
        zip([r.identifier for r in fresh], check_references([reference_of[r.identifier] for r in fresh]), strict=True)
    )
    duplicate_slugs = {o.entry for o in outcomes.values() if o.outcome == Outcome.DUPLICATE and o.entry}
    entries_by_slug = {e.slug: e for e in Entry.objects.filter(slug__in=duplicate_slugs).only("pk", "slug")}
    candidates, unchanged = [], 0
    for record in records:
        base = {
            "run": run,
            "source": source,
            "upstream_id": record.identifier[:300],
            "datestamp": record.datestamp[:40],
            "link": record.link[:1000],
            "item": record.item,
            "files": record.files,
            "title": str(record.item.get("title") or "")[:600],
        }
        known = provenance.get(record.identifier)
        if record.error:
            candidates.append(HarvestCandidate(**base, kind=CandidateKind.ERROR, reason=record.error))
        elif record.deleted:
            if known and not known.withdrawn_upstream:
                base["title"] = known.entry.title[:600] if known.entry_id else ""
                candidates.append(HarvestCandidate(**base, kind=CandidateKind.WITHDRAWN, entry_id=known.entry_id))
            else:
                unchanged += 1
        elif known:
            diff = upstream_diff(known, record.item)
            if diff:
                candidates.append(
                    HarvestCandidate(**base, kind=CandidateKind.CHANGED, entry_id=known.entry_id, diff=diff)
                )
            else:
                unchanged += 1
        else:
            outcome = outcomes[record.identifier]
            kind = {Outcome.NEW: CandidateKind.NEW, Outcome.DUPLICATE: CandidateKind.DUPLICATE}.get(
                outcome.outcome, CandidateKind.ERROR
            )
            duplicate = entries_by_slug.get(outcome.entry)
            candidates.append(
                HarvestCandidate(
                    **base,
                    kind=kind,
                    reason=outcome.reason,
                    warnings=list(outcome.warnings),
                    entry_id=duplicate.pk if duplicate else None,
                )
            )
    # A candidate of this run replaces the undecided ones of earlier runs for the same record.
    HarvestCandidate.objects.filter(
        source=source, status=CandidateStatus.PENDING, upstream_id__in=[c.upstream_id for c in candidates]
    ).update(status=CandidateStatus.SUPERSEDED)
    HarvestCandidate.objects.bulk_create(candidates)
    count = {kind: sum(c.kind == kind for c in candidates) for kind in CandidateKind}
    return {
        "new_count": count[CandidateKind.NEW],
        "changed_count": count[CandidateKind.CHANGED],
        "withdrawn_count": count[CandidateKind.WITHDRAWN],
        "duplicate_count": count[CandidateKind.DUPLICATE],
        "error_count": count[CandidateKind.ERROR],
        "unchanged_count": unchanged,
    }


def shown(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else value


def creators_text(creators):
    """Creators (dicts of entry_values, or Creator rows) as one line: 'Family, Given; Organization'."""
    names = []
    for creator in creators:
        get = creator.get if isinstance(creator, dict) else lambda name, creator=creator: getattr(creator, name)
        names.append(f"{get('family')}, {get('given')}".strip(", ") if get("kind") == "person" else get("name"))
    return "; ".join(names)


def upstream_diff(known, item):
    """[[field, value on the entry now, value upstream now]] for each field that changed upstream since
    the record was accepted: an organizer's own edit of a field upstream left alone is never offered."""
    before, after = entry_values(known.item), entry_values(item)
    entry = known.entry
    diff = []
    for name in sorted(set(before.fields) | set(after.fields)):
        if name in DIFF_EXCLUDED:
            continue
        old, new = shown(before.fields.get(name)), shown(after.fields.get(name))
        if old != new:
            diff.append([name, shown(getattr(entry, name, "")), new])
    if creators_text(before.creators) != creators_text(after.creators):
        current = creators_text(entry.creators_in_order())
        diff.append(["creators", current, creators_text(after.creators)])
    return diff


# -- Decisions ------------------------------------------------------------------------------------------
def accept_candidates(*, candidates, user):
    """Accept pending candidates: new ones become draft entries with their provenance; changed ones
    update the fields that changed upstream; withdrawn ones archive their entry; a duplicate links its
    record to the entry it duplicates. Errors cannot be accepted. Returns how many were accepted."""
    pending = list(
        candidates.filter(status=CandidateStatus.PENDING)
        .exclude(kind=CandidateKind.ERROR)
        .select_related("source", "entry")
        .order_by("pk")
    )
    now = timezone.now()
    accepted = []
    with transaction.atomic():
        new = [c for c in pending if c.kind == CandidateKind.NEW]
        if new:
            accepted += accept_new(new, user=user)
        for candidate in pending:
            if candidate.kind == CandidateKind.CHANGED and candidate.entry_id:
                apply_changes(candidate)
            elif candidate.kind == CandidateKind.WITHDRAWN and candidate.entry_id:
                archive_entries(entries=Entry.objects.filter(pk=candidate.entry_id))
                Provenance.objects.filter(entry_id=candidate.entry_id).update(withdrawn_upstream=True)
            elif candidate.kind == CandidateKind.DUPLICATE and candidate.entry_id:
                if Provenance.objects.filter(entry_id=candidate.entry_id).exists():
                    continue
                record_provenance(candidate, candidate.entry)
            else:
                continue
            accepted.append(candidate)
        for candidate in accepted:
            candidate.status, candidate.decided_at, candidate.decided_by = CandidateStatus.ACCEPTED, now, user
        HarvestCandidate.objects.bulk_update(
            accepted, ["status", "decided_at", "decided_by", "entry", "kind", "reason"]
        )
        for candidate in accepted:
            if candidate.kind == CandidateKind.NEW and candidate.source.fetch_full_text and candidate.files:
                from harvest.tasks import fetch_full_text_task

                entry_id = candidate.entry_id
                transaction.on_commit(lambda entry_id=entry_id: fetch_full_text_task.enqueue(entry_id))
    return len(accepted)


def accept_new(candidates, *, user):
    """Import new candidates through the depository's reference import (in one file, in order); those it
    now finds duplicate (an entry written since the run) become duplicate candidates, still pending."""
    result = run_import(
        text=json.dumps([c.item for c in candidates]), fmt="csl-json", user=user, status=EntryStatus.DRAFT
    )
    entries = {entry.slug: entry for entry in result.entries}
    accepted = []
    for candidate, outcome in zip(candidates, result.outcomes, strict=True):
        if outcome.outcome == Outcome.NEW:
            candidate.entry = entries[outcome.entry]
            record_provenance(candidate, candidate.entry)
            accepted.append(candidate)
        else:
            candidate.kind = CandidateKind.DUPLICATE if outcome.outcome == Outcome.DUPLICATE else CandidateKind.ERROR
            candidate.reason = outcome.reason
            candidate.entry = Entry.objects.filter(slug=outcome.entry).first() if outcome.entry else None
            candidate.save(update_fields=["kind", "reason", "entry"])
    return accepted


def record_provenance(candidate, entry):
    Provenance.objects.update_or_create(
        entry=entry,
        defaults={
            "source": candidate.source,
            "upstream_id": candidate.upstream_id,
            "datestamp": candidate.datestamp,
            "link": candidate.link,
            "item": candidate.item,
            "files": candidate.files,
        },
    )


def apply_changes(candidate):
    """Set the fields listed in the candidate's diff from its record (validated), and its creators."""
    entry = Entry.objects.get(pk=candidate.entry_id)
    values = entry_values(candidate.item)
    names = [name for name, _old, _new in candidate.diff]
    for name in names:
        if name != "creators" and name in values.fields:
            setattr(entry, name, values.fields[name])
        elif name != "creators":
            field = Entry._meta.get_field(name)
            setattr(entry, name, field.get_default())
    entry.full_clean(validate_unique=False)
    entry.save()
    if "creators" in names:
        from depository.models import Creator

        replace_creators(entry=entry, creators=[Creator(**creator) for creator in values.creators])
    Provenance.objects.filter(entry=entry).update(
        item=candidate.item, datestamp=candidate.datestamp, link=candidate.link, files=candidate.files
    )


def reject_candidates(*, candidates, user):
    return candidates.filter(status=CandidateStatus.PENDING).update(
        status=CandidateStatus.REJECTED, decided_at=timezone.now(), decided_by=user
    )


# -- Full text ------------------------------------------------------------------------------------------
def last_segment(url):
    return unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]).strip()


def document_name(url, response=None):
    """The attachment's name: the file name the answer gives (`Content-Disposition`), else the last path
    segment of where the document was found (after redirects) when it has an extension, else the link's
    (a Zotero enclosure `.../items/<key>/file/view` redirects to the stored file's name)."""
    if response is not None:
        message = Message()
        message["content-disposition"] = response.headers.get("content-disposition", "")
        given = (message.get_filename() or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
        found = last_segment(response.url)
        name = given or (found if "." in found else "")
        if name:
            return name[-255:]
    return last_segment(url)[-255:] or "document"


def request_headers(source, url):
    """The headers a document download sends: a Zotero source's API key (`Zotero-API-Key`) to Zotero's
    API host only (its stored files' enclosures); nothing to any other host. The fetcher drops them on a
    redirect to another origin (Zotero's file storage)."""
    from django.conf import settings

    if source.kind == SourceKind.ZOTERO and origin_of(url) == origin_of(settings.HARVEST_ZOTERO_API):
        return zotero_headers(source)
    return {}


def looks_like_markup(upload):
    """Whether a document read as plain text is in fact a web page (an HTML landing page or an error
    page served as text/plain or as a download): such a link is not the document."""
    upload.seek(0)
    head = upload.read(1024).lstrip().lower()
    upload.seek(0)
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body"))


def fetch_full_text(entry_id, *, fetcher=None):
    """Download the first openly downloadable document linked from a harvested entry's record (robots.txt
    honoured, the upload's size limit, PDF/DOCX/ODT/text only, told from the content as an upload is) and
    attach it as a public file whose `source_url` keeps the link; the depository's extraction task reads
    its text. Returns a sentence saying what happened (the task's result)."""
    from django.conf import settings

    from depository.tasks import enqueue_text_extraction

    provenance = Provenance.objects.select_related("entry", "source").filter(entry_id=entry_id).first()
    if provenance is None or not provenance.files:
        return "no document linked"
    if provenance.entry.attachments.filter(source_url__in=provenance.files).exists():
        return "already attached"
    fetcher = fetcher or Fetcher()
    limit = settings.HARVEST_MAX_DOCUMENT_BYTES
    failures = []
    for url in provenance.files:
        try:
            response = fetcher.get(
                url,
                headers=request_headers(provenance.source, url),
                robots=True,
                max_bytes=limit,
                media_types=DOCUMENT_RESPONSE_TYPES,
            )
            response.raise_for_status()
            upload = ContentFile(response.content, name="harvested")
            info = inspect_upload(upload, max_bytes=limit)
            if info.kind == DocumentKind.TXT and looks_like_markup(upload):
                raise DocumentRejected(_("%(url)s is a web page, not a document.") % {"url": url})
        except (FetchError, DocumentRejected) as error:
            logger.warning("Full text of entry %s from %s not fetched: %s", entry_id, url, error)
            failures.append(f"{url}: {error}")
            continue
        with transaction.atomic():
            attachment = Attachment(
                entry=provenance.entry,
                original_name=document_name(url, response),
                source_url=url[:1000],
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
                is_public=True,
            )
            attachment.file.save(f"harvested.{info.extension}", upload, save=False)
            attachment.save()
            enqueue_text_extraction(attachment)
        return f"attached {url}"
    return "not fetched: " + "; ".join(failures)
