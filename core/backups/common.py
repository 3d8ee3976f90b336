"""What a backup is made of: its names, its error, and the files it copies and checks."""

import datetime
import hashlib
import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files.storage import FileSystemStorage, Storage, storages

MANIFEST_NAME = "manifest.json"
DUMP_NAME = "database.dump"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True)
class FileRoot:
    """A storage of uploaded files and the name its files have inside a backup: `media` is
    STORAGES["default"], `private_media` members' private storage. On this machine's disk (a
    FileSystemStorage) the files are walked on disk; elsewhere (S3) through the storage's API."""

    name: str
    storage: Storage

    @property
    def path(self):
        """The directory of a FileSystemStorage, or None when the files are not on this machine."""
        if isinstance(self.storage, FileSystemStorage):
            return Path(self.storage.location)
        return None

    def describe(self):
        if self.path is not None:
            return str(self.path)
        bucket, location = getattr(self.storage, "bucket_name", ""), getattr(self.storage, "location", "")
        return f"bucket {bucket}, prefix {location}/"

    def names(self):
        """The name of every stored file, sorted."""
        if self.path is not None:
            return [path.relative_to(self.path).as_posix() for path in regular_files(self.path)]
        return sorted(walk_storage(self.storage, ""))

    def open(self, name):
        if self.path is not None:
            return open(self.path / name, "rb")
        return self.storage.open(name, "rb")

    def size(self, name):
        if self.path is not None:
            return (self.path / name).stat().st_size
        return self.storage.size(name)


def file_roots():
    # The storages the file fields use (members/storage.py looks up the same alias).
    return [FileRoot("media", storages["default"]), FileRoot("private_media", storages["private"])]


def walk_storage(storage, directory):
    directories, files = storage.listdir(directory)
    prefix = f"{directory}/" if directory else ""
    for name in files:
        yield f"{prefix}{name}"
    for name in directories:
        yield from walk_storage(storage, f"{prefix}{name}")


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
    with open(path, "rb") as stream:
        return add_stream(archive, name, stream, Path(path).stat().st_size)


def add_stream(archive, name, stream, size):
    """Add `size` bytes read from stream to the archive as name; return its size and SHA-256."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
    reader = HashingReader(stream)
    archive.addfile(info, reader)
    return {"path": name, "size": info.size, "sha256": reader.digest.hexdigest()}


def sha256_of_stream(stream):
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def safe_member_name(name):
    """A name from a manifest, refused unless it is a plain relative path inside the backup."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name != str(path):
        raise BackupError(f"The manifest names a file outside the backup: {name!r}")
    return path
