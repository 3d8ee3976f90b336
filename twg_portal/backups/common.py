"""What a backup is made of: its names, its error, and the files it copies and checks."""

import datetime
import hashlib
import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

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
