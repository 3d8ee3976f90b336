"""What waits for the organizers: the start page's counts and the admin filters they link to.

Each `Waiting` item is one condition on one model. The start page counts every item of a model in
one aggregate query, and the model's changelist offers the same conditions as its "Needs attention"
filter (`?needs_attention=<key>`), so a count and the list it links to can never disagree.

Rules, and why:
- papers: `submitted` for the first time, or `revised` (submitted again after changes were asked
  for, told apart by a PaperEvent from "changes requested" to "submitted");
- answers: members' public answers appear on the questions page at once (there is no moderation
  step), so organizers re-read those written or changed in the last ANSWER_REVIEW_DAYS days;
- files: text extraction failed (or is pending with no task left to run it), or it finished with
  no text at all (a scanned image, say);
- entries: drafts untouched since their creation more than DRAFT_AGE_DAYS days ago; entries (not
  archived) without a theme; entries whose external link is malformed (an empty link is not counted,
  since many entries, meeting reports and papers, have only their files);
- broken links: a well-formed link that is dead is found by `manage.py check_links` (harvest.links);
  the start page lists each broken one (`broken_links`) with its entry, not only a count.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Q, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from depository.models import Attachment, Entry, EntryStatus, ExtractionStatus
from depository.tasks import queued_extraction
from harvest.models import LinkCheck
from members.models import Answer, InputPaper, PaperEvent, PaperStatus

DRAFT_AGE_DAYS = 30
ANSWER_REVIEW_DAYS = 14
PARAMETER = "needs_attention"

# A link the portal can open: http(s), a host with a dot (or localhost), no spaces anywhere.
WELL_FORMED_LINK = r"^https?://([^\s/?#@]+@)?([^\s/?#.]+\.)+[^\s/?#.]+(:[0-9]+)?([/?#]\S*)?$"


def _revised():
    return Exists(
        PaperEvent.objects.filter(
            paper=OuterRef("pk"), from_status=PaperStatus.CHANGES_REQUESTED, to_status=PaperStatus.SUBMITTED
        )
    )


@dataclass(frozen=True)
class Waiting:
    """One kind of work waiting: `condition()` is a Q (or boolean expression) on `model`."""

    key: str
    label: str
    model: type
    condition: Callable

    def changelist_url(self):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + "?" + urlencode({PARAMETER: self.key})


WAITING = [
    Waiting(
        "submitted",
        _("Papers submitted for review"),
        InputPaper,
        lambda: Q(status=PaperStatus.SUBMITTED) & ~Q(_revised()),
    ),
    Waiting(
        "revised",
        _("Papers revised and submitted again"),
        InputPaper,
        lambda: Q(status=PaperStatus.SUBMITTED) & Q(_revised()),
    ),
    Waiting(
        "recent_public",
        _("Public answers written or changed in the last two weeks"),
        Answer,
        lambda: Q(is_public=True, updated_at__gte=timezone.now() - timedelta(days=ANSWER_REVIEW_DAYS)),
    ),
    Waiting(
        "extraction_failed",
        _("Files whose text could not be extracted"),
        Attachment,
        # FAILED, and PENDING with no extraction task waiting or running (a task that died before
        # recording its failure): nobody would otherwise notice a file that is never searchable.
        lambda: (
            Q(extraction_status=ExtractionStatus.FAILED)
            | (Q(extraction_status=ExtractionStatus.PENDING) & ~Q(queued_extraction(Attachment)))
        ),
    ),
    Waiting(
        "extraction_empty",
        _("Files with no text found"),
        Attachment,
        lambda: Q(extraction_status=ExtractionStatus.DONE, extracted_text=""),
    ),
    Waiting(
        "old_draft",
        _("Drafts older than 30 days"),
        Entry,
        lambda: Q(status=EntryStatus.DRAFT, created_at__lt=timezone.now() - timedelta(days=DRAFT_AGE_DAYS)),
    ),
    Waiting(
        "malformed_link",
        _("Entries whose link is malformed"),
        Entry,
        lambda: ~Q(external_url="") & ~Q(external_url__regex=WELL_FORMED_LINK),
    ),
    Waiting(
        "no_theme",
        _("Entries without a theme"),
        Entry,
        lambda: (
            ~Q(status=EntryStatus.ARCHIVED) & ~Q(Exists(Entry.themes.through.objects.filter(entry_id=OuterRef("pk"))))
        ),
    ),
]


def waiting_counts(user):
    """[(Waiting, count)] for the models `user` may view, in WAITING's order: one query per model."""
    counts = {}
    for model in dict.fromkeys(item.model for item in WAITING):
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        items = [item for item in WAITING if item.model is model]
        counts.update(
            model._default_manager.aggregate(**{item.key: Count("pk", filter=item.condition()) for item in items})
        )
    return [(item, counts[item.key]) for item in WAITING if item.key in counts]


def attention_filter(model):
    """A changelist filter "Needs attention" offering `model`'s WAITING conditions."""
    items = [item for item in WAITING if item.model is model]

    class NeedsAttentionFilter(admin.SimpleListFilter):
        title = _("needs attention")
        parameter_name = PARAMETER

        def lookups(self, request, model_admin):
            return [(item.key, item.label) for item in items]

        def queryset(self, request, queryset):
            for item in items:
                if self.value() == item.key:
                    return queryset.filter(item.condition())
            return queryset

    return NeedsAttentionFilter


BROKEN_LINKS_SHOWN = 20


def broken_links(user):
    """(the first BROKEN_LINKS_SHOWN broken links, longest failing first, each with its entry; how many
    there are) for a user who may view link checks, else ([], 0). One query: the total is a window count."""
    if not user.has_perm("harvest.view_linkcheck"):
        return [], 0
    links = list(
        LinkCheck.objects.broken()
        .select_related("entry")
        .only("url", "status_code", "error", "consecutive_failures", "failing_since", "entry__title")
        .annotate(total=Window(Count("pk")))
        .order_by("failing_since", "pk")[:BROKEN_LINKS_SHOWN]
    )
    return links, links[0].total if links else 0
