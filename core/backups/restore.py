"""Restore a backup: check every checksum, restore the dump in one transaction, put the files back."""

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files import File

from core.backups.common import (
    CHUNK,
    DUMP_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    BackupError,
    file_roots,
    safe_member_name,
    sha256_of_stream,
)
from core.backups.postgres import connect, database_settings, relation_count, restore_database


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    bytes: int


def read_manifest(archive):
    try:
        member = archive.getmember(MANIFEST_NAME)
        manifest = json.loads(archive.extractfile(member).read())
    except (KeyError, AttributeError, ValueError) as error:
        raise BackupError(f"This is not a TWG Portal backup: no readable {MANIFEST_NAME} ({error}).") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"Unknown backup format {manifest.get('format')!r}; this portal reads format {FORMAT_VERSION}."
        )
    return manifest


def extract_verified(archive, members, entry, destination):
    """Copy one member out of the archive to destination, refusing it unless its SHA-256 and size
    match the manifest."""
    name = str(safe_member_name(entry["path"]))
    member = members.get(name)
    if member is None:
        raise BackupError(f"{name} is listed in the manifest but missing from the backup.")
    if not member.isfile():
        raise BackupError(f"{name} is not a regular file in the backup.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    source = archive.extractfile(member)
    with open(destination, "wb") as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
    if digest.hexdigest() != entry["sha256"] or destination.stat().st_size != entry["size"]:
        raise BackupError(f"{name} does not match its checksum in the manifest: the backup is damaged.")


def restore_backup(*, backup_path, force=False):
    """Restore a backup into the configured (empty) database and file storages."""
    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise BackupError(f"No backup file at {backup_path}.")
    roots = {root.name: root for root in file_roots()}

    with tarfile.open(backup_path, "r:") as archive, tempfile.TemporaryDirectory() as workdir:
        manifest = read_manifest(archive)
        members = {member.name: member for member in archive.getmembers()}
        check_targets_are_empty(roots, force=force)
        # Files are checked into a staging directory first: beside a directory on this machine's
        # disk (so they are moved into place, not copied), in the temporary directory otherwise.
        staging = {
            name: (root.path.parent if root.path is not None else Path(workdir)) / f".restore-{name}-{os.getpid()}"
            for name, root in roots.items()
        }
        try:
            # 1. Every checksum, before anything is changed.
            dump_path = Path(workdir) / DUMP_NAME
            extract_verified(archive, members, manifest["database"]["dump"], dump_path)
            staged = []
            for entry in manifest["files"]:
                parts = safe_member_name(entry["path"]).parts
                if len(parts) < 3 or parts[0] != "files" or parts[1] not in roots:
                    raise BackupError(f"The manifest names a file outside the file directories: {entry['path']!r}")
                name = PurePosixPath(*parts[2:]).as_posix()
                extract_verified(archive, members, entry, staging[parts[1]] / name)
                staged.append((staging[parts[1]] / name, roots[parts[1]], name))
            # 2. The database, in one transaction.
            restore_database(dump_path, expected=manifest["database"]["row_counts"], force=force)
            # 3. The files, put into place.
            for source, root, name in staged:
                put_file(source, root, name)
        finally:
            for path in staging.values():
                shutil.rmtree(path, ignore_errors=True)

    for entry in manifest["files"]:
        parts = PurePosixPath(entry["path"]).parts
        with roots[parts[1]].open(PurePosixPath(*parts[2:]).as_posix()) as stream:
            if sha256_of_stream(stream) != entry["sha256"]:
                raise BackupError(f"{entry['path']} changed while it was put back.")
    counts = manifest["database"]["row_counts"]
    return RestoreResult(
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(manifest["files"]),
        bytes=sum(entry["size"] for entry in manifest["files"]),
    )


def put_file(source, root, name):
    """Move a checked file into a directory on disk, or upload it to the storage under its name."""
    if root.path is not None:
        target = root.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        # The mode the storage gives its own saves (0600 for members' private files).
        mode = getattr(root.storage, "file_permissions_mode", None)
        if mode is not None:
            os.chmod(target, mode)
        return
    if root.storage.exists(name):  # only with --force: the backup's file replaces it
        root.storage.delete(name)
    with open(source, "rb") as stream:
        stored_as = root.storage.save(name, File(stream, name=name))
    if stored_as != name:
        raise BackupError(f"{name} was stored as {stored_as} in {root.describe()}; the database refers to {name}.")


def check_targets_are_empty(roots, *, force):
    connection = connect()
    try:
        with connection.cursor() as cursor:
            relations = relation_count(cursor)
    finally:
        connection.close()
    if relations and not force:
        raise BackupError(
            f"Database {database_settings()['NAME']} is not empty ({relations} tables, views or sequences). "
            "Restore into an empty database, or set FORCE=1 (--force) to replace its contents."
        )
    for name, root in roots.items():
        if root.names() and not force:
            raise BackupError(
                f"{root.describe()} ({name}) already holds files. Restore into empty directories (or bucket prefixes), "
                "or set FORCE=1 (--force) to put the backup's files over them."
            )
