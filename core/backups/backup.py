"""Write a backup: the dump, the files and the manifest, in one tar."""

import datetime
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.backups.common import (
    DUMP_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    add_bytes,
    add_file,
    add_stream,
    file_roots,
)
from core.backups.postgres import dump_database


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
                    for name in root.names():
                        with root.open(name) as stream:
                            files.append(add_stream(archive, f"files/{root.name}/{name}", stream, root.size(name)))
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
