"""Uploaded files on S3-compatible object storage (issue 7, docs/deployment.md), against a real S3 HTTP
server: moto's, on a free loopback port. The portal is configured the way AWS_STORAGE_BUCKET_NAME and
the other AWS_* variables configure it, and every step goes through the real views and services."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from moto.server import ThreadedMotoServer

from depository.models import Attachment
from members.models import PaperStatus, PaperVersion
from members.services.publishing import publish_paper
from members.storage import get_private_storage
from tests.depository_helpers import make_entry
from tests.document_files import pdf_bytes
from tests.members_helpers import client_for, make_paper, post_upload, read_file_response, stored_files
from tests.test_attachments import change_url, entry_form
from tests.test_backup_restore import empty_database, table_contents  # noqa: F401  (a fixture)
from twg_portal import settings as settings_module

BASE_DIR = Path(__file__).resolve().parent.parent
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "twg-test-key", "AWS_SECRET_ACCESS_KEY": "twg-test-secret"}
# moto's S3 server in a thread, and manage.py in processes of their own.
pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server in a thread of this process, on a free port of 127.0.0.1."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_environment(endpoint, bucket, **more):
    """The environment a deployment sets to keep its files in `bucket`."""
    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        **CREDENTIALS,
        **more,
    }


def s3_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def new_bucket(endpoint):
    name = f"twg-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def object_keys(endpoint, bucket):
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def object_bytes(endpoint, bucket, key):
    return s3_client(endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()


def object_grants(endpoint, bucket, key):
    """Who may read the object: only its owner (no grant to AllUsers or AuthenticatedUsers)."""
    grants = s3_client(endpoint).get_object_acl(Bucket=bucket, Key=key)["Grants"]
    return [(grant["Grantee"]["Type"], grant["Permission"]) for grant in grants]


def configure_object_storage(settings, monkeypatch, environment):
    """STORAGES as twg_portal/settings.py builds it from these variables; the settings fixture's
    setting_changed signal makes Django (and members.storage) drop the storages built before."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    private_bucket = environment.get("AWS_PRIVATE_STORAGE_BUCKET_NAME") or environment["AWS_STORAGE_BUCKET_NAME"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "core.storage.PrivateS3Storage",
            "OPTIONS": settings_module.s3_storage_options(
                bucket_name=environment["AWS_STORAGE_BUCKET_NAME"], location="media"
            ),
        },
        "private": {
            "BACKEND": "core.storage.PrivateS3Storage",
            "OPTIONS": settings_module.s3_storage_options(bucket_name=private_bucket, location="private"),
        },
    }


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    """A new bucket holding the portal's files; MEDIA_ROOT and PRIVATE_MEDIA_ROOT point at empty
    directories, so the tests can show nothing lands on this machine's disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    name = new_bucket(s3_endpoint)
    configure_object_storage(settings, monkeypatch, s3_environment(s3_endpoint, name))
    return name


def run_db_worker(environment):
    """`manage.py db_worker --batch` in a process of its own, configured by the environment alone."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


STORAGES_REPORT = """
import django, json
django.setup()
from django.core.files.storage import storages
from members.storage import get_private_storage
default, private = storages["default"], get_private_storage()
try:
    default.url("attachments/x.pdf")
    url = "made"
except ValueError:
    url = "refused"
print(json.dumps({
    "default": [default.__class__.__name__, *(getattr(default, name, None) for name in ("bucket_name", "location"))],
    "private": [private.__class__.__name__, *(getattr(private, name, None) for name in ("bucket_name", "location"))],
    "acl": getattr(default, "default_acl", None),
    "endpoint": getattr(default, "endpoint_url", None),
    "url": url,
}))
"""


def storages_in_a_fresh_interpreter(environment):
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(environment, DJANGO_SETTINGS_MODULE="twg_portal.settings")
    result = subprocess.run(
        [sys.executable, "-c", STORAGES_REPORT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_settings_choose_object_storage_when_a_bucket_is_named():
    """Both storages are private S3 storages without URLs; private files under their own prefix, or
    in their own bucket when AWS_PRIVATE_STORAGE_BUCKET_NAME is set."""
    assert storages_in_a_fresh_interpreter(s3_environment("http://127.0.0.1:9", "twg-files")) == {
        "default": ["PrivateS3Storage", "twg-files", "media"],
        "private": ["PrivateS3Storage", "twg-files", "private"],
        "acl": None,
        "endpoint": "http://127.0.0.1:9",
        "url": "refused",
    }
    two_buckets = s3_environment("http://127.0.0.1:9", "twg-files", AWS_PRIVATE_STORAGE_BUCKET_NAME="twg-private")
    assert storages_in_a_fresh_interpreter(two_buckets)["private"] == ["PrivateS3Storage", "twg-private", "private"]
    on_disk = storages_in_a_fresh_interpreter({})
    assert (on_disk["default"][0], on_disk["private"][0]) == ("FileSystemStorage", "PrivateStorage")


@pytest.mark.django_db(transaction=True)  # the worker process reads what the views committed
def test_files_live_in_the_bucket_from_upload_to_publication(
    s3_endpoint, bucket, organizer, member, second_member, client, tmp_path
):
    # An organizer uploads a report to a published entry in the admin.
    entry = make_entry("Safer secondary cities", slug="safer-cities", kind="publication")
    report = pdf_bytes("Violence prevention in secondary cities", "Second page on local mediation")
    organizer_client = client_for(organizer)
    response = organizer_client.post(change_url(entry), entry_form(entry, ("report.pdf", report)))
    assert response.status_code == 302
    attachment = Attachment.objects.get(entry=entry)
    assert object_keys(s3_endpoint, bucket) == [f"media/{attachment.file.name}"]
    assert object_bytes(s3_endpoint, bucket, f"media/{attachment.file.name}") == report
    assert stored_files(tmp_path / "media") == []
    assert object_grants(s3_endpoint, bucket, f"media/{attachment.file.name}") == [("CanonicalUser", "FULL_CONTROL")]

    # Anyone downloads it through the entry's view, which streams it from the bucket.
    url = reverse("depository:attachment", kwargs={"slug": entry.slug, "pk": attachment.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert read_file_response(response) == report
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    # So do the admin's download and the briefing pack (a ZIP of the public files of a selection).
    admin_download = reverse("admin:depository_entry_attachment_download", args=[entry.pk, attachment.pk])
    assert read_file_response(organizer_client.get(admin_download)) == report
    response = client.get(reverse("depository:pack"))
    assert response.status_code == 200
    pack = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    [packed] = [name for name in pack.namelist() if name.startswith("files/safer-cities/")]
    assert packed.endswith("report.pdf") and pack.read(packed) == report

    # A task worker in another process, configured only by the environment, extracts its text.
    worker = run_db_worker(s3_environment(s3_endpoint, bucket))
    assert worker.returncode == 0, worker.stderr
    attachment.refresh_from_db()
    assert (attachment.extraction_status, attachment.page_count) == ("done", 2)
    assert "local mediation" in attachment.extracted_text

    # A member uploads a version of their paper: it goes under private/, for its authors and organizers only.
    paper = make_paper(member, title="Infrastructure and conflict")
    final = pdf_bytes("Final text of the paper")
    assert post_upload(client_for(member.user), paper, name="final.pdf", content=final).status_code == 302
    version = PaperVersion.objects.get(paper=paper)
    private_key = f"private/{version.file.name}"
    assert private_key in object_keys(s3_endpoint, bucket)
    assert stored_files(tmp_path / "private") == []
    assert object_grants(s3_endpoint, bucket, private_key) == [("CanonicalUser", "FULL_CONTROL")]
    file_url = reverse("members:paper_file", args=[paper.pk, version.number])
    assert read_file_response(client_for(member.user).get(file_url)) == final
    assert read_file_response(organizer_client.get(file_url)) == final
    assert client_for(second_member.user).get(file_url).status_code == 404
    client.logout()
    assert client.get(file_url).status_code == 404
    with pytest.raises(ValueError, match="no URL"):
        version.file.url  # noqa: B018  (no URL, not even a signed one, is ever made)

    # Publishing the accepted paper copies its file from private/ to media/ in the bucket.
    paper.status = PaperStatus.ACCEPTED
    paper.save()
    publish_paper(paper=paper, user=organizer)
    paper.refresh_from_db()
    published = Attachment.objects.get(entry=paper.entry)
    assert object_bytes(s3_endpoint, bucket, f"media/{published.file.name}") == final
    assert object_bytes(s3_endpoint, bucket, private_key) == final  # the version keeps its own file
    response = client.get(reverse("depository:attachment", kwargs={"slug": published.entry.slug, "pk": published.pk}))
    assert read_file_response(response) == final
    assert stored_files(tmp_path / "media") == [] and stored_files(tmp_path / "private") == []


@pytest.mark.django_db
def test_a_file_missing_from_the_bucket_is_a_404(s3_endpoint, bucket, client):
    entry = make_entry("Gone", slug="gone", kind="publication")
    attachment = Attachment.objects.create(entry=entry, file="attachments/never-stored.pdf", original_name="x.pdf")
    url = reverse("depository:attachment", kwargs={"slug": entry.slug, "pk": attachment.pk})
    assert client.get(url).status_code == 404


def restore_into(backup, dbname, environment, *extra):
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("AWS_")},
        "DATABASE_URL": f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
        f"{connection.settings_dict['PORT']}/{dbname}",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup), *extra],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db(transaction=True)  # pg_dump, in its own session, sees committed rows only
def test_backup_copies_the_buckets_objects_and_restore_puts_them_into_a_new_bucket(
    s3_endpoint,
    bucket,
    tmp_path,
    empty_database,  # noqa: F811
):
    """`make backup` reads the files through the storage API, and `make restore` writes them back
    through it: a backup of a deployment on object storage holds every object, byte for byte."""
    report = pdf_bytes("A report kept in the bucket")
    draft = os.urandom(200_000)
    entry = make_entry("Kept", slug="kept", kind="publication")
    attachment = Attachment.objects.create(entry=entry, original_name="report.pdf")
    attachment.file.save("report.pdf", ContentFile(report))
    draft_name = get_private_storage().save("papers/2025/unpublished-draft.docx", ContentFile(draft))
    assert object_keys(s3_endpoint, bucket) == sorted([f"media/{attachment.file.name}", f"private/{draft_name}"])

    out = io.StringIO()
    call_command("backup", output_dir=str(tmp_path / "backups"), stdout=out)
    assert "2 files (200" in out.getvalue()
    (backup,) = (tmp_path / "backups").glob("twg-backup-*.tar")
    with tarfile.open(backup) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        assert archive.extractfile(f"files/media/{attachment.file.name}").read() == report
    assert {(item["path"], item["sha256"]) for item in manifest["files"]} == {
        (f"files/media/{attachment.file.name}", hashlib.sha256(report).hexdigest()),
        (f"files/private_media/{draft_name}", hashlib.sha256(draft).hexdigest()),
    }

    # A bucket that already holds files is not written over (without FORCE=1), and nothing is changed.
    restored_bucket = new_bucket(s3_endpoint)
    environment = s3_environment(s3_endpoint, restored_bucket)
    s3_client(s3_endpoint).put_object(Bucket=restored_bucket, Key="media/attachments/other.pdf", Body=b"other")
    refused = restore_into(backup, empty_database, environment)
    assert refused.returncode != 0
    assert f"bucket {restored_bucket}, prefix media/ (media) already holds files" in refused.stderr
    assert table_contents(empty_database)[0] == {}
    s3_client(s3_endpoint).delete_object(Bucket=restored_bucket, Key="media/attachments/other.pdf")

    # Restored into an empty database and an empty bucket, by a process configured by its environment.
    result = restore_into(backup, empty_database, environment)
    assert result.returncode == 0, result.stderr
    assert "and 2 files" in result.stdout
    assert object_keys(s3_endpoint, restored_bucket) == object_keys(s3_endpoint, bucket)
    assert object_bytes(s3_endpoint, restored_bucket, f"media/{attachment.file.name}") == report
    assert object_bytes(s3_endpoint, restored_bucket, f"private/{draft_name}") == draft
    assert table_contents(empty_database)[0] == table_contents(connection.settings_dict["NAME"])[0]

    # FORCE=1 restores over them: the backup's objects replace the bucket's.
    again = restore_into(backup, empty_database, environment, "--force")
    assert again.returncode == 0, again.stderr
    assert object_keys(s3_endpoint, restored_bucket) == object_keys(s3_endpoint, bucket)


def test_the_storages_follow_a_change_of_settings(s3_endpoint, settings, monkeypatch):
    """Django caches the storages it built, and FileFields hold theirs from import time: both the
    default storage and members' private one are rebuilt when STORAGES changes, and back again."""
    version_storage = PaperVersion._meta.get_field("file").storage
    attachment_storage = Attachment._meta.get_field("file").storage
    assert (attachment_storage.__class__.__name__, version_storage.__class__.__name__) == (
        "FileSystemStorage",
        "PrivateStorage",
    )
    bucket = new_bucket(s3_endpoint)
    configure_object_storage(settings, monkeypatch, s3_environment(s3_endpoint, bucket))
    assert (attachment_storage.bucket_name, attachment_storage.location) == (bucket, "media")
    assert (version_storage.bucket_name, version_storage.location) == (bucket, "private")
    assert storages["default"] is attachment_storage._wrapped
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.STORAGES = {**settings.STORAGES, "private": {"BACKEND": "members.storage.PrivateStorage"}}
    assert (attachment_storage.__class__.__name__, version_storage.__class__.__name__) == (
        "FileSystemStorage",
        "PrivateStorage",
    )
