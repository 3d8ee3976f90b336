"""Issue 13, finding 7: members' private papers are stored readable by the portal's user only (0600)."""

import importlib
import stat

import pytest

from tests.document_files import pdf_bytes
from tests.members_helpers import make_paper, post_upload

pytestmark = pytest.mark.django_db


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("memory_limit", [2_621_440, 0], ids=["in memory", "temporary file"])
def test_an_uploaded_paper_is_0600_in_a_0700_directory(member_client, member, media_roots, settings, memory_limit):
    # Django keeps small uploads in memory and streams big ones to a temporary file first: both paths.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = memory_limit
    _, private_root = media_roots
    response = post_upload(member_client, make_paper(member), content=pdf_bytes("Urban safety"))
    assert response.status_code == 302
    stored = [path for path in private_root.rglob("*") if path.is_file()]
    assert len(stored) == 1
    assert mode(stored[0]) == 0o600
    assert {mode(path) for path in private_root.rglob("*") if path.is_dir()} == {0o700}


def test_public_files_keep_the_default_mode(settings, media_roots):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    media_root, _ = media_roots
    name = default_storage.save("public.txt", ContentFile(b"public"))
    assert mode(media_root / name) != 0o600


def test_files_stored_before_are_made_0600_by_the_migration(media_roots):
    _, private_root = media_roots
    old = private_root / "papers" / "1" / "v1.pdf"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"%PDF-1.4 old")
    old.chmod(0o644)
    old.parent.chmod(0o755)
    migration = importlib.import_module("members.migrations.0005_private_files_owner_only")
    migration.owner_only(None, None)
    assert mode(old) == 0o600
    assert mode(old.parent) == 0o700
    assert mode(private_root) == 0o700


def test_a_restored_private_file_is_0600(media_roots, tmp_path):
    from core.backups.common import file_roots
    from core.backups.restore import put_file

    private = next(root for root in file_roots() if root.name == "private_media")
    source = tmp_path / "staged.pdf"
    source.write_bytes(b"%PDF-1.4 restored")
    source.chmod(0o644)
    put_file(source, private, "papers/2/v1.pdf")
    assert mode(media_roots[1] / "papers" / "2" / "v1.pdf") == 0o600
