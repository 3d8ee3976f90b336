"""`make backup` / `make restore`: a backup of the real records and real files, restored into a new
empty database and empty directories, gives back every row and every byte."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg2 import sql

from core.backups import table_row_counts
from depository.models import Attachment, Entry

BASE_DIR = Path(__file__).resolve().parent.parent

# pg_dump, in its own session, sees committed rows only; pg_dump and pg_restore are processes of their own.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.servers]

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def server_params(dbname):
    db = connection.settings_dict
    return {"dbname": dbname, "user": db["USER"], "host": db["HOST"], "port": db["PORT"]}


def database_url(dbname):
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{dbname}"


def table_contents(dbname):
    """Row count and a digest of the rows of every table, read over a connection of its own."""
    with psycopg2.connect(**server_params(dbname)) as conn, conn.cursor() as cursor:
        counts = table_row_counts(cursor)
        digests = {}
        for table in counts:
            cursor.execute(
                sql.SQL("SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t").format(
                    sql.Identifier(table)
                )
            )
            digests[table] = cursor.fetchone()[0]
    conn.close()
    return counts, digests


def file_checksums(root):
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def empty_database():
    """A new, empty database on the same server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = psycopg2.connect(**server_params("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    yield name
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


@pytest.fixture
def uploaded_files(tmp_path, settings, twg_records):
    """Real files in MEDIA_ROOT and PRIVATE_MEDIA_ROOT, and attachment rows pointing at two of them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    files = {
        settings.MEDIA_ROOT / "attachments" / "5d41402abc4b2a76b9719d911017c592.pdf": MINIMAL_PDF,
        settings.MEDIA_ROOT / "attachments" / "Informe final – Bogotá (versión 2).txt": b"Seguridad urbana\n",
        settings.MEDIA_ROOT / "attachments" / "empty.csv": b"",
        settings.PRIVATE_MEDIA_ROOT / "papers" / "2025" / "unpublished-draft.docx": os.urandom(300_000),
        settings.PRIVATE_MEDIA_ROOT / "records.yaml": (BASE_DIR / "portal/records/twg_records.yaml").read_bytes(),
    }
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    entry = Entry.objects.order_by("pk").first()
    for path in list(files)[:2]:
        Attachment.objects.create(
            entry=entry,
            file=path.relative_to(settings.MEDIA_ROOT).as_posix(),
            original_name=path.name,
            size=path.stat().st_size,
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        )
    return settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT


def make_backup(tmp_path):
    out = io.StringIO()
    call_command("backup", output_dir=str(tmp_path / "backups"), stdout=out)
    assert "Backup written to" in out.getvalue()
    (backup,) = (tmp_path / "backups").glob("twg-backup-*.tar")
    return backup


def restore(backup, dbname, media_root, private_root, *extra):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(dbname),
        "MEDIA_ROOT": str(media_root),
        "PRIVATE_MEDIA_ROOT": str(private_root),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup), *extra],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backup_wipe_restore_gives_back_every_row_and_every_file(tmp_path, uploaded_files, empty_database):
    media_root, private_root = uploaded_files
    original_rows, original_digests = table_contents(connection.settings_dict["NAME"])
    original_files = {"media": file_checksums(media_root), "private": file_checksums(private_root)}
    # The records attach the two meeting reports (their files in MEDIA_ROOT); the fixture adds two rows.
    assert original_rows["depository_entry"] >= 10 and original_rows["depository_attachment"] == 4
    assert len(original_files["media"]) == 5 and len(original_files["private"]) == 2

    backup = make_backup(tmp_path)
    assert backup.stat().st_mode & 0o077 == 0  # readable by its owner only
    with tarfile.open(backup) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert manifest["database"]["row_counts"] == original_rows
    assert {entry["path"] for entry in manifest["files"]} == {
        *(f"files/media/{name}" for name in original_files["media"]),
        *(f"files/private_media/{name}" for name in original_files["private"]),
    }

    # Wipe: the uploaded files are gone; the backup goes into a new, empty database and empty directories.
    for root in (media_root, private_root):
        for path in sorted(root.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    restored_media, restored_private = tmp_path / "restored" / "media", tmp_path / "restored" / "private_media"
    result = restore(backup, empty_database, restored_media, restored_private)
    assert result.returncode == 0, result.stderr
    assert f"Restored {len(original_rows)} tables ({sum(original_rows.values())} rows) and 7 files" in result.stdout

    restored_rows, restored_digests = table_contents(empty_database)
    assert restored_rows == original_rows
    assert restored_digests == original_digests
    assert file_checksums(restored_media) == original_files["media"]
    assert file_checksums(restored_private) == original_files["private"]
    print(  # the figures docs/security.md quotes
        f"backup round trip: {len(original_rows)} tables, {sum(original_rows.values())} rows, "
        f"{len(manifest['files'])} files, {sum(entry['size'] for entry in manifest['files'])} bytes, "
        f"backup {backup.stat().st_size} bytes"
    )

    # A second restore into the now filled database is refused, and changes nothing.
    again = restore(backup, empty_database, tmp_path / "other" / "media", tmp_path / "other" / "private")
    assert again.returncode != 0
    assert f"Database {empty_database} is not empty" in again.stderr
    assert "FORCE=1" in again.stderr
    assert table_contents(empty_database)[0] == original_rows


def test_restore_with_force_replaces_a_database_that_is_not_empty(tmp_path, uploaded_files, empty_database):
    backup = make_backup(tmp_path)
    with psycopg2.connect(**server_params(empty_database)) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE leftover (id int); INSERT INTO leftover VALUES (1)")
    conn.close()
    media_root, private_root = tmp_path / "r" / "media", tmp_path / "r" / "private"
    assert restore(backup, empty_database, media_root, private_root).returncode != 0

    result = restore(backup, empty_database, media_root, private_root, "--force")
    assert result.returncode == 0, result.stderr
    restored_rows, _ = table_contents(empty_database)
    assert "leftover" not in restored_rows
    assert restored_rows == table_contents(connection.settings_dict["NAME"])[0]


def test_a_damaged_backup_is_refused_before_anything_is_changed(tmp_path, uploaded_files, empty_database):
    backup = make_backup(tmp_path)
    with tarfile.open(backup) as archive:
        member = archive.getmember("files/private_media/papers/2025/unpublished-draft.docx")
    with open(backup, "r+b") as stream:  # flip one byte of one file
        stream.seek(member.offset_data + 1000)
        byte = stream.read(1)
        stream.seek(member.offset_data + 1000)
        stream.write(bytes([byte[0] ^ 0xFF]))

    media_root, private_root = tmp_path / "r" / "media", tmp_path / "r" / "private"
    result = restore(backup, empty_database, media_root, private_root)
    assert result.returncode != 0
    assert "files/private_media/papers/2025/unpublished-draft.docx does not match its checksum" in result.stderr
    assert table_contents(empty_database)[0] == {}
    assert not media_root.exists() and not private_root.exists()


EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def test_a_manifest_naming_a_path_outside_the_backup_is_refused(tmp_path, empty_database):
    hostile = tmp_path / "hostile.tar"
    manifest = {
        "format": 1,
        "database": {"row_counts": {}, "dump": {"path": "database.dump", "size": 0, "sha256": EMPTY_SHA256}},
        "files": [{"path": "files/media/../../../outside.txt", "size": 1, "sha256": "0" * 64}],
    }
    with tarfile.open(hostile, "w") as archive:
        for name, data in {"database.dump": b"", "manifest.json": json.dumps(manifest).encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    result = restore(hostile, empty_database, tmp_path / "m", tmp_path / "p")
    assert result.returncode != 0
    assert "The manifest names a file outside the backup: 'files/media/../../../outside.txt'" in result.stderr
    assert not (tmp_path.parent / "outside.txt").exists()
