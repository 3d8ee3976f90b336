"""Harvesting (issue 21; docs/harvesting.md): the sources an organizer registers, each run of a harvest,
the candidates a run lists for the organizer to accept, and where each harvested entry came from.

Durable state (a source's last datestamp, a Zotero library's version) is kept in these tables, never in
the cache (core/models.py says why)."""

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from depository.models import Entry


class SourceKind(models.TextChoices):
    OAI = "oai", _("OAI-PMH repository")
    ZOTERO = "zotero", _("Zotero library")
    RELIEFWEB = "reliefweb", _("ReliefWeb reports")


class ZoteroLibraryType(models.TextChoices):
    GROUP = "groups", _("Group library")
    USER = "users", _("User library")


class Source(CleanTextModel):
    """Where records are harvested from. Which fields count depends on the kind (Source.clean)."""

    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    name = models.CharField(_("name"), max_length=200, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True, help_text=_("`manage.py harvest` runs enabled sources."))
    fetch_full_text = models.BooleanField(
        _("fetch full text"),
        default=False,
        help_text=_("Download the openly linked document of each accepted record and attach it as a public file."),
    )
    # OAI-PMH
    oai_base_url = models.URLField(_("OAI-PMH base URL"), max_length=500, blank=True)
    oai_set = models.CharField(_("set"), max_length=200, blank=True, help_text=_("Blank: the whole repository."))
    # The prefix as the repository names it (OAI-PMH 2.0, section 3.4: prefixes are the repository's own;
    # Zenodo's DataCite is `oai_datacite` or `datacite`, DSpace's MODS `mods`). Which mapping reads a record
    # is decided by its metadata's namespace (harvest.formats), so no second "schema" field can disagree.
    oai_metadata_prefix = models.CharField(
        _("metadata prefix"),
        max_length=50,
        default="oai_dc",
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9\-_.!~*'()]+$", _("A metadata prefix is letters, digits and - _ . ! ~ * ' ( ) only.")
            )
        ],
        help_text=_(
            "As the repository names it: oai_dc (every repository offers it), or a richer one it offers: "
            "DataCite (Zenodo: oai_datacite or datacite), MODS (DSpace: mods) or MARCXML (marcxml, marc21). "
            "“Check formats” lists what the repository offers. Blank: oai_dc."
        ),
    )
    # Zotero web API v3
    zotero_library_type = models.CharField(
        _("Zotero library type"), max_length=10, choices=ZoteroLibraryType.choices, blank=True
    )
    zotero_library_id = models.CharField(_("Zotero library ID"), max_length=20, blank=True)
    zotero_api_key = models.CharField(
        _("Zotero API key"), max_length=100, blank=True, help_text=_("Only for a private library. Never shown again.")
    )
    zotero_collection_key = models.CharField(_("Zotero collection key"), max_length=20, blank=True)
    # ReliefWeb API v2
    reliefweb_appname = models.CharField(
        _("ReliefWeb appname"),
        max_length=100,
        blank=True,
        help_text=_("A pre-approved appname; blank: the setting RELIEFWEB_APPNAME."),
    )
    reliefweb_query = models.CharField(
        _("ReliefWeb query"), max_length=500, blank=True, help_text=_("A ReliefWeb search, e.g. “urban violence”.")
    )
    # Where the last successful run stopped: the next run asks only for what changed since.
    last_datestamp = models.CharField(_("last datestamp"), max_length=40, blank=True, editable=False)
    zotero_library_version = models.PositiveBigIntegerField(_("Zotero library version"), null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        required = {
            SourceKind.OAI: ["oai_base_url"],
            SourceKind.ZOTERO: ["zotero_library_type", "zotero_library_id"],
            SourceKind.RELIEFWEB: ["reliefweb_query"],
        }.get(self.kind, [])
        missing = {name: _("Required for this kind of source.") for name in required if not getattr(self, name)}
        if self.kind == SourceKind.OAI:
            self.oai_metadata_prefix = self.oai_metadata_prefix.strip() or "oai_dc"
        if self.kind == SourceKind.ZOTERO and self.zotero_library_id and not self.zotero_library_id.isdigit():
            missing["zotero_library_id"] = _("A Zotero library ID is a number.")
        if missing:
            raise ValidationError(missing)

    @property
    def masked_api_key(self):
        """The API key as the admin shows it: its last four characters only."""
        return f"…{self.zotero_api_key[-4:]}" if self.zotero_api_key else ""


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunPhase(models.TextChoices):
    """Where a running harvest is (docs/harvesting.md, "Following a run"): reading the source's pages,
    then comparing what it read with the depository and writing the candidates."""

    LISTING = "listing", _("Listing")
    COMPARING = "comparing", _("Comparing")
    DONE = "done", _("Done")


class HarvestRun(CleanTextModel):
    """One harvest of one source: when, what it asked for, what it found, and why it failed.

    While it runs, the worker writes its progress (`phase`, `pages`, `records`, `progress_at`) after each
    page, each write committed on its own, so the admin (another connection) follows the run."""

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    since = models.CharField(_("since"), max_length=40, blank=True, help_text=_("The datestamp or version asked from."))
    records = models.PositiveIntegerField(_("records read"), default=0)
    phase = models.CharField(_("phase"), max_length=10, choices=RunPhase.choices, blank=True)
    pages = models.PositiveIntegerField(_("pages fetched"), default=0)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    changed_count = models.PositiveIntegerField(_("changed upstream"), default=0)
    withdrawn_count = models.PositiveIntegerField(_("withdrawn upstream"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("harvest run")
        verbose_name_plural = _("harvest runs")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The source's log of runs, newest first (the admin's list filtered by source).
            models.Index(fields=["source", "-created_at"], name="harvest_run_source_idx"),
        ]

    def __str__(self):
        return f"{self.source} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self):
        """Done or failed: nothing more will change (the admin stops refreshing its page)."""
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def progress_text(self):
        """One line saying where the run is: "Listing: page 3, 250 records read" (translated)."""
        records = ngettext("%(count)d record read", "%(count)d records read", self.records) % {"count": self.records}
        if self.status == RunStatus.QUEUED:
            return gettext("Queued: waiting for the task worker.")
        if self.status == RunStatus.DONE:
            pages = ngettext("%(count)d page", "%(count)d pages", self.pages) % {"count": self.pages}
            return gettext("Done: %(pages)s, %(records)s.") % {"pages": pages, "records": records}
        if self.status == RunStatus.FAILED:
            phase = RunPhase(self.phase).label if self.phase else RunStatus.QUEUED.label
            return gettext("Failed (%(phase)s: page %(page)d, %(records)s).") % {
                "phase": phase,
                "page": self.pages,
                "records": records,
            }
        if self.phase == RunPhase.COMPARING:
            return ngettext(
                "Comparing %(count)d record with the depository.",
                "Comparing %(count)d records with the depository.",
                self.records,
            ) % {"count": self.records}
        if not self.pages:
            return gettext("Listing: waiting for the first page.")
        return gettext("Listing: page %(page)d, %(records)s.") % {"page": self.pages, "records": records}


class CandidateKind(models.TextChoices):
    NEW = "new", _("New")
    CHANGED = "changed", _("Changed upstream")
    WITHDRAWN = "withdrawn", _("Withdrawn upstream")
    DUPLICATE = "duplicate", _("Duplicate of an entry")
    ERROR = "error", _("Error")


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by a later run")


class HarvestCandidate(CleanTextModel):
    """One upstream record a run found, waiting for the organizer: nothing reaches the depository unless
    accepted. `item` is the record as a CSL-JSON item (the depository's pivot, docs/citations.md)."""

    run = models.ForeignKey(HarvestRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="candidates")
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="candidates")
    kind = models.CharField(_("kind"), max_length=10, choices=CandidateKind.choices)
    status = models.CharField(
        _("decision"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING
    )
    upstream_id = models.CharField(_("upstream identifier"), max_length=300)
    datestamp = models.CharField(_("upstream datestamp"), max_length=40, blank=True)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=600, blank=True)
    item = models.JSONField(_("CSL-JSON item"), default=dict, blank=True)
    diff = models.JSONField(
        _("changes"), default=list, blank=True, help_text=_("[field, value on the entry, value upstream]")
    )
    files = models.JSONField(_("document links"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The entry it duplicates, changes or withdraws; or the one it became."),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("harvest candidate")
        verbose_name_plural = _("harvest candidates")
        ordering = ["run", "id"]
        indexes = [
            # A new run supersedes the pending candidates of the same upstream record.
            models.Index(fields=["source", "upstream_id", "status"], name="harvest_candidate_upstream_idx"),
        ]

    def __str__(self):
        return self.title or self.upstream_id


class Provenance(CleanTextModel):
    """Where a harvested entry came from: shown on the entry page, and how later runs find the entry."""

    entry = models.OneToOneField(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="provenance")
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="provenance")
    upstream_id = models.CharField(_("upstream identifier"), max_length=300)
    datestamp = models.CharField(_("upstream datestamp"), max_length=40, blank=True)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    harvested_at = models.DateTimeField(_("harvested at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    withdrawn_upstream = models.BooleanField(_("withdrawn upstream"), default=False)
    # The record as last accepted: a later run lists only the fields that changed upstream since, so what
    # an organizer edited on the entry is never offered for overwriting unless upstream changed it too.
    item = models.JSONField(_("CSL-JSON item as accepted"), default=dict, blank=True)
    files = models.JSONField(_("document links"), default=list, blank=True)

    class Meta:
        verbose_name = _("provenance")
        verbose_name_plural = _("provenance")
        constraints = [
            # One entry per upstream record of a source: a later run finds it by (source, identifier).
            models.UniqueConstraint(fields=["source", "upstream_id"], name="harvest_one_entry_per_upstream_record"),
        ]

    def __str__(self):
        return f"{self.source}: {self.upstream_id}"


# -- Link health (docs/harvesting.md, "Link health") --------------------------------------------------------
class LinkStatus(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked yet")
    OK = "ok", _("Working")
    FAILED = "failed", _("Failed")
    # Refused by the safe fetcher's address rules (a link to a private or loopback address): the link is
    # not known to be broken, so it is never counted as a failure.
    NOT_ALLOWED = "not_allowed", _("Not checked: address not allowed")


# A link is broken once it failed twice in a row (a server down for an hour is not a dead link), or once
# with an answer that says the document is gone.
BROKEN_AFTER_FAILURES = 2
GONE_STATUSES = (404, 410)


class LinkCheckQuerySet(models.QuerySet):
    def due(self, *, now, days):
        """Never checked, or checked more than `days` days ago: oldest first (`check_links`)."""
        stale = models.Q(checked_at__isnull=True) | models.Q(checked_at__lt=now - datetime.timedelta(days=days))
        return self.filter(stale).order_by(models.F("checked_at").asc(nulls_first=True), "pk")

    def broken(self):
        """Broken links of published entries that still link them (the entry's link, or a public
        file's source): an entry edited since the check is not listed for its old link."""
        from depository.models import Attachment, EntryStatus

        still_linked = models.Q(url=models.F("entry__external_url")) | models.Q(
            models.Exists(
                Attachment.objects.filter(
                    entry=models.OuterRef("entry"), source_url=models.OuterRef("url"), is_public=True
                )
            )
        )
        failing = models.Q(consecutive_failures__gte=BROKEN_AFTER_FAILURES) | models.Q(
            consecutive_failures__gte=1, status_code__in=GONE_STATUSES
        )
        return self.filter(failing, still_linked, status=LinkStatus.FAILED, entry__status=EntryStatus.PUBLISHED)


class LinkCheck(CleanTextModel):
    """The last check of one external link of one entry (its `external_url`, or the source link of one of
    its public files): durable state, kept in a table (never the cache), read by the start page."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="link_checks")
    url = models.URLField(_("link"), max_length=2000)
    status = models.CharField(_("status"), max_length=12, choices=LinkStatus.choices, default=LinkStatus.UNCHECKED)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)

    objects = LinkCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("link check")
        verbose_name_plural = _("link checks")
        ordering = ["entry", "url"]
        constraints = [
            # One row per link of an entry: check_links adds the missing ones and checks each.
            models.UniqueConstraint(fields=["entry", "url"], name="harvest_one_check_per_entry_link"),
        ]
        indexes = [
            # check_links: the links due for a check, oldest first.
            models.Index(fields=["checked_at"], name="harvest_linkcheck_due_idx"),
            # The start page's broken links: only the few failing rows.
            models.Index(
                fields=["entry"], condition=models.Q(consecutive_failures__gt=0), name="harvest_linkcheck_failing_idx"
            ),
        ]

    def __str__(self):
        return self.url

    @property
    def problem(self):
        """What the last check found, in a few words: "HTTP 404", or the error."""
        return f"HTTP {self.status_code}" if self.status_code else self.error
