"""Every upload's promised limit, its validation, Django's body limit and nginx's agree, because all
four read one setting per upload kind (issue 22, finding 4b; core/body_limits.py BODY_LIMITS)."""

import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import FileField
from django.test import RequestFactory
from django.utils import timezone

from core.body_limits import BODY_LIMITS, MULTIPART_OVERHEAD_BYTES, body_limit_for, default_body_limit
from core.management.commands.nginx_config import render_nginx_config
from core.sizes import upload_promise
from meetings.models import Meeting
from tests.depository_helpers import make_entry
from tests.members_helpers import make_paper

pytestmark = pytest.mark.django_db
LIMIT = 4000  # bytes: each test sets the kind's setting to it


def member_paper(member, organizer):
    paper = make_paper(member)
    return f"/members/papers/{paper.pk}/upload/", {}, paper.get_absolute_url()  # the form is on the paper's page


def participant_list(member, organizer):
    meeting = Meeting.objects.create(name="Inception", slug="inception", start_date=timezone.now().date())
    return f"/admin/meetings/meeting/{meeting.pk}/import-participants/", {"preview": "1"}


def attachment(member, organizer):
    return "/admin/depository/attachment/add/", {"entry": make_entry("Audit").pk, "is_public": "on"}


# Upload kind (a BODY_LIMITS row): (setting, who uploads, path and other fields, the file's field)
UPLOADS = {
    "member paper upload": ("MEMBERS_PAPER_MAX_BYTES", "member", member_paper, "file"),
    "entry import": (
        "ENTRY_IMPORT_MAX_BYTES",
        "organizer",
        lambda *_: ("/admin/depository/entry/import/", {"format": "0", "resource": "0"}),
        "import_file",
    ),
    "attachment upload": ("ATTACHMENT_MAX_UPLOAD_BYTES", "organizer", attachment, "file"),
    "reference import": (
        "REFERENCE_IMPORT_MAX_BYTES",
        "organizer",
        lambda *_: ("/admin/depository/referenceimport/add/", {}),
        "file",
    ),
    "participant import": ("PARTICIPANT_IMPORT_MAX_BYTES", "organizer", participant_list, "csv_file"),
}


def test_every_upload_row_is_tried_here():
    assert {row.name for row in BODY_LIMITS if row.setting} == set(UPLOADS)
    assert {row.setting for row in BODY_LIMITS if row.setting} == {case[0] for case in UPLOADS.values()}


def test_every_admin_form_with_a_file_has_an_upload_row(superuser):
    """A model admin (or inline) whose form takes a file must name its path in BODY_LIMITS, or its
    uploads get the 2.5 MB every form without a file gets."""
    request = RequestFactory().get("/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        forms = [model_admin.get_form(request)]
        forms += [inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)]
        for form in forms:
            if any(
                isinstance(getattr(field, "model_field", None), FileField) for field in form.base_fields.values()
            ) or any(type(field).__name__ == "FileField" for field in form.base_fields.values()):
                path = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
                assert body_limit_for(path) != default_body_limit(), path


@pytest.mark.parametrize("kind", UPLOADS)
def test_promise_validation_body_limit_and_nginx_agree(kind, member, organizer, client, settings):
    setting, uploader, where, field = UPLOADS[kind]
    setattr(settings, setting, LIMIT)
    path, fields, *page = where(member, organizer)
    client.force_login(member.user if uploader == "member" else organizer)

    # The form promises the setting.
    page = client.get(page[0] if page else path)
    assert page.status_code == 200
    assert upload_promise(LIMIT) in page.content.decode()
    # Django's body limit and nginx's are the setting and room for the form around the file.
    assert body_limit_for(path) == LIMIT + MULTIPART_OVERHEAD_BYTES
    [row] = [row for row in BODY_LIMITS if row.name == kind]
    nginx = render_nginx_config(listen="80", server_name="twg.example", upstream="127.0.0.1:8000")
    assert re.search(
        rf'location ~ "{re.escape(row.pattern)}" {{\s*client_max_body_size {LIMIT + MULTIPART_OVERHEAD_BYTES};', nginx
    )
    assert re.fullmatch(row.pattern, path)
    # The form refuses one byte more, with its own message (not the body limit's 413).
    response = client.post(path, {**fields, field: SimpleUploadedFile("big.csv", b"x" * (LIMIT + 1))})
    assert response.status_code in {200, 400}
    assert "the limit is" in response.content.decode().lower()


def test_a_3_mb_reference_file_passes_the_body_limit(organizer_client):
    assert settings.REFERENCE_IMPORT_MAX_BYTES == 20 * 1024 * 1024
    ris = b"TY  - JOUR\nTI  - " + b"x" * (3 * 1024 * 1024) + b"\nER  - \n"
    response = organizer_client.post(
        "/admin/depository/referenceimport/add/", {"file": SimpleUploadedFile("big.ris", ris)}
    )
    assert response.status_code != 413
