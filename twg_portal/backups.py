"""Backups that lose nothing: the database and every uploaded file, with a manifest to check them by.

A backup is one tar file, `backups/twg-backup-<UTC time>.tar`, holding
- `database.dump`: `pg_dump --format=custom` of the whole database, taken in one snapshot;
- `files/media/...` and `files/private_media/...`: every file under MEDIA_ROOT and PRIVATE_MEDIA_ROOT;
- `manifest.json`: the row count of every table (counted in the very snapshot pg_dump dumped) and
  the size and SHA-256 of the dump and of every file.

The database is dumped first, then the files are copied. Uploaded files are written once under a
generated name and never changed, so every file a row of the dump refers to is in the backup.

`restore_backup()` checks every checksum before it changes anything, restores the dump into an
empty database in one transaction, puts the files back, then counts every table's rows again and
compares them with the manifest.
"""

import datetime
import hashlib
import io
import json
import os
import shutil

# pg_dump and pg_restore run from argument lists, never through a shell.
import subprocess  # nosec B404
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import psycopg2
from django.conf import settings
from psycopg2 import sql

MANIFEST_NAME = "manifest.json"
DUMP_NAME = "database.dump"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True)
class FileRoot:
    """A directory of uploaded files and the name it has inside a backup."""

    name: str
    path: Path


def file_roots():
    return [FileRoot("media", Path(settings.MEDIA_ROOT)), FileRoot("private_media", Path(settings.PRIVATE_MEDIA_ROOT))]


# --- PostgreSQL --------------------------------------------------------------------------------


def database_settings():
    return settings.DATABASES["default"]


def connect(dbname=None):
    db = database_settings()
    params = {
        "dbname": dbname or db["NAME"],
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "connect_timeout": 5,
    }
    try:
        return psycopg2.connect(**{key: value for key, value in params.items() if value is not None})
    except psycopg2.OperationalError as error:
        raise BackupError(f"Cannot connect to database {params['dbname']}: {str(error).strip()}") from error


def client_environment():
    """libpq's environment for pg_dump/pg_restore: the connection comes from settings, not the command line."""
    db = database_settings()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for key, value in {"PGHOST": db["HOST"], "PGPORT": db["PORT"], "PGUSER": db["USER"]}.items():
        if value:
            env[key] = str(value)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    env["PGCONNECT_TIMEOUT"] = "5"
    return env


def server_major_version(cursor):
    cursor.execute("SHOW server_version_num")
    return int(cursor.fetchone()[0]) // 10000


def client_program(name, server_major):
    """pg_dump or pg_restore of the server's major version (Debian installs each version in its own
    directory), else the one on PATH if it is at least as new as the server."""
    candidates = [Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for program in candidates:
        if not program.is_file():
            continue
        version = run_client([str(program), "--version"], env=None).stdout.split()[-1]
        if int(version.split(".")[0]) >= server_major:
            return str(program)
    raise BackupError(
        f"No {name} for PostgreSQL {server_major} or newer. Install Debian's postgresql-client-{server_major} "
        "(`make backup` does it when it is missing)."
    )


def run_client(args, env):
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")
    return result


def table_row_counts(cursor):
    """Every table of the database (outside PostgreSQL's own schemas) and its number of rows."""
    cursor.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') "
        "ORDER BY table_schema, table_name"
    )
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        name = table if schema == "public" else f"{schema}.{table}"
        counts[name] = cursor.fetchone()[0]
    return counts


def relation_count(cursor):
    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
        "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
    )
    return cursor.fetchone()[0]


# --- Files -------------------------------------------------------------------------------------


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class HashingReader:
    """Reads a file into the tar and hashes what it read, so each file is read once."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk


def regular_files(root):
    """Every regular file under root, sorted; a symbolic link is refused (it could point anywhere)."""
    if not root.exists():
        return []
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_symlink():
                raise BackupError(f"{path} is a symbolic link; uploaded files are stored as regular files only.")
            if path.is_file():
                found.append(path)
    return found


def add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def add_file(archive, name, path):
    """Add path to the archive as name; return its size and SHA-256."""
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with open(path, "rb") as stream:
        reader = HashingReader(stream)
        archive.addfile(info, reader)
    return {"path": name, "size": info.size, "sha256": reader.digest.hexdigest()}


def safe_member_name(name):
    """A name from a manifest, refused unless it is a plain relative path inside the backup."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name != str(path):
        raise BackupError(f"The manifest names a file outside the backup: {name!r}")
    return path


# --- Backup ------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    bytes: int


def create_backup(*, output_dir):
    """Write one backup tar into output_dir and return what it holds."""
    output_dir = Path(output_dir)
    output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final_path = output_dir / f"twg-backup-{stamp}.tar"
    partial_path = output_dir / f".{final_path.name}.partial"

    with tempfile.TemporaryDirectory(dir=output_dir) as workdir:
        dump_path = Path(workdir) / DUMP_NAME
        database = dump_database(dump_path)
        old_umask = os.umask(0o077)  # a backup holds unpublished papers and password hashes
        try:
            with tarfile.open(partial_path, "w", format=tarfile.PAX_FORMAT) as archive:
                dump_entry = add_file(archive, DUMP_NAME, dump_path)
                files = []
                for root in file_roots():
                    for path in regular_files(root.path):
                        relative = path.relative_to(root.path).as_posix()
                        files.append(add_file(archive, f"files/{root.name}/{relative}", path))
                manifest = {
                    "format": FORMAT_VERSION,
                    "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                    "database": {**database, "dump": dump_entry},
                    "files": files,
                }
                add_bytes(archive, MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True).encode())
            os.replace(partial_path, final_path)
        finally:
            os.umask(old_umask)
            partial_path.unlink(missing_ok=True)

    return BackupResult(
        path=final_path,
        tables=len(database["row_counts"]),
        rows=sum(database["row_counts"].values()),
        files=len(files),
        bytes=sum(entry["size"] for entry in files),
    )


def dump_database(dump_path):
    """pg_dump the database, and count its rows, in one snapshot: the counts describe the dump exactly."""
    connection = connect()
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            major = server_major_version(cursor)
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            row_counts = table_row_counts(cursor)
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
            pg_dump = client_program("pg_dump", major)
            run_client(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump_path}",
                    f"--dbname={database_settings()['NAME']}",
                ],
                env=client_environment(),
            )
            pg_dump_version = run_client([pg_dump, "--version"], env=None).stdout.strip()
        connection.rollback()
    finally:
        connection.close()
    return {
        "name": database_settings()["NAME"],
        "server_version": server_version,
        "pg_dump": pg_dump_version,
        "row_counts": row_counts,
    }


# --- Restore -----------------------------------------------------------------------------------


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
    """Restore a backup into the configured (empty) database and file directories."""
    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise BackupError(f"No backup file at {backup_path}.")
    roots = {root.name: root.path for root in file_roots()}

    with tarfile.open(backup_path, "r:") as archive:
        manifest = read_manifest(archive)
        members = {member.name: member for member in archive.getmembers()}
        check_targets_are_empty(roots, force=force)
        staging = {name: path.parent / f".restore-{name}-{os.getpid()}" for name, path in roots.items()}
        try:
            with tempfile.TemporaryDirectory() as workdir:
                # 1. Every checksum, before anything is changed.
                dump_path = Path(workdir) / DUMP_NAME
                extract_verified(archive, members, manifest["database"]["dump"], dump_path)
                staged = []
                for entry in manifest["files"]:
                    parts = safe_member_name(entry["path"]).parts
                    if len(parts) < 3 or parts[0] != "files" or parts[1] not in roots:
                        raise BackupError(f"The manifest names a file outside the file directories: {entry['path']!r}")
                    relative = Path(*parts[2:])
                    extract_verified(archive, members, entry, staging[parts[1]] / relative)
                    staged.append((staging[parts[1]] / relative, roots[parts[1]] / relative, entry["size"]))
                # 2. The database, in one transaction.
                restore_database(dump_path, expected=manifest["database"]["row_counts"], force=force)
            # 3. The files, moved into place.
            for source, target, _size in staged:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
        finally:
            for path in staging.values():
                shutil.rmtree(path, ignore_errors=True)

    for entry in manifest["files"]:
        parts = PurePosixPath(entry["path"]).parts
        if sha256_of(roots[parts[1]] / Path(*parts[2:])) != entry["sha256"]:
            raise BackupError(f"{entry['path']} changed while it was put back.")
    counts = manifest["database"]["row_counts"]
    return RestoreResult(
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(manifest["files"]),
        bytes=sum(entry["size"] for entry in manifest["files"]),
    )


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
    for name, path in roots.items():
        if regular_files(path) and not force:
            raise BackupError(
                f"{path} ({name}) already holds files. Restore into empty directories, "
                "or set FORCE=1 (--force) to put the backup's files over them."
            )


def restore_database(dump_path, *, expected, force):
    connection = connect()
    try:
        with connection.cursor() as cursor:
            major = server_major_version(cursor)
            if force:
                # Replace everything Django keeps in the public schema (tables, sequences, extensions).
                cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
                cursor.execute("CREATE SCHEMA public")
                connection.commit()
        run_client(
            [
                client_program("pg_restore", major),
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={database_settings()['NAME']}",
                str(dump_path),
            ],
            env=client_environment(),
        )
        with connection.cursor() as cursor:
            counts = table_row_counts(cursor)
        connection.rollback()
    finally:
        connection.close()
    differences = {
        table: (expected.get(table), counts.get(table))
        for table in sorted(set(expected) | set(counts))
        if expected.get(table) != counts.get(table)
    }
    if differences:
        listed = ", ".join(
            f"{table}: {want} in the backup, {got} restored" for table, (want, got) in differences.items()
        )
        raise BackupError(f"The restored database does not match the manifest: {listed}")
