"""GET /depository/<slug>/: one entry, and the download of its files."""

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.roles import is_organizer
from depository import citations, exports, record
from depository.creators import creators_prefetch, shown_creators, viewer_of
from depository.models import Attachment, Entry, InternalTag
from depository.related import related_entries


def get_entry_for_user(user, slug, queryset=None):
    """The entry with this slug if this user may see it (published, or any status for curators), else 404."""
    queryset = Entry.objects.all() if queryset is None else queryset
    return get_object_or_404(queryset.visible_to(user), slug=slug)


def visible_attachments(user):
    attachments = Attachment.objects.order_by("uploaded_at", "pk").defer("extracted_text", "extraction_error")
    return attachments if is_organizer(user) else attachments.filter(is_public=True)


@require_safe
def entry_detail(request, slug):
    entry = get_entry_for_user(
        request.user,
        slug,
        Entry.objects.prefetch_related(
            "themes",
            "city_types",
            "violence_types",
            "cities",
            "tags",
            creators_prefetch(),
            Prefetch("attachments", queryset=visible_attachments(request.user)),
            "reported_meetings",
            "meetings",
        ),
    )
    url = request.build_absolute_uri(entry.get_absolute_url())
    viewer = viewer_of(request)
    attachments = list(entry.attachments.all())
    pdf = next((a for a in attachments if a.content_type == "application/pdf" and a.is_public), None)
    pdf_url = request.build_absolute_uri(attachment_url(entry, pdf)) if pdf and entry.is_public else None
    # The prominent link to the text: the public PDF (organizers previewing a draft get it too), else the source.
    read = record.read_link(entry, attachment_url(entry, pdf) if pdf else None)
    meetings = {meeting.pk: meeting for meeting in [*entry.reported_meetings.all(), *entry.meetings.all()]}
    # The organizers' internal tags are theirs: curators see them, the public does not (one query).
    internal = set() if is_organizer(request.user) else set(InternalTag.objects.values_list("tag_id", flat=True))
    return render(
        request,
        "depository/entry_detail.html",
        {
            "entry": entry,
            "tags": [tag for tag in entry.tags.all() if tag.pk not in internal],
            "attachments": [(attachment, attachment_url(entry, attachment)) for attachment in attachments],
            "meetings": list(meetings.values()),
            "related": related_entries(entry),
            "creators": shown_creators(entry, viewer),
            "record": record.record_rows(entry),
            "read": read,
            "notes": record.notes(entry, viewer),
            "citations": citations.formatted(entry, viewer, url=url),
            "citation_meta": citations.highwire_meta(entry, viewer, url=url, pdf_url=pdf_url),
            "json_ld": citations.json_ld(entry, viewer, url=url),
            "export_formats": exports.on_entry_page(),
        },
    )


def attachment_url(entry, attachment):
    return reverse("depository:attachment", kwargs={"slug": entry.slug, "pk": attachment.pk})


@require_safe
def attachment_download(request, slug, pk):
    """A file of an entry, for whoever may see the entry (and, for a non-public file, staff only).
    Files are never served from a public path, so a draft's files stay private."""
    entry = get_entry_for_user(request.user, slug)
    attachment = get_object_or_404(visible_attachments(request.user), entry=entry, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing from storage.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
        content_type=attachment.content_type or "application/octet-stream",
    )
