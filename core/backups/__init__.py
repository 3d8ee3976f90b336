"""Backups that lose nothing: the database and every uploaded file, with a manifest to check them by.

A backup is one tar file, `backups/twg-backup-<UTC time>.tar`, holding
- `database.dump`: `pg_dump --format=custom` of the whole database, taken in one snapshot;
- `files/media/...` and `files/private_media/...`: every uploaded file, read through the storages the
  file fields use: STORAGES["default"] and STORAGES["private"] (MEDIA_ROOT and PRIVATE_MEDIA_ROOT on
  disk, or the `media/` and `private/` prefixes of an S3 bucket; docs/deployment.md);
- `manifest.json`: the row count of every table (counted in the very snapshot pg_dump dumped) and
  the size and SHA-256 of the dump and of every file.

The database is dumped first, then the files are copied. Uploaded files are written once under a
generated name and never changed, so every file a row of the dump refers to is in the backup.

`restore_backup()` checks every checksum before it changes anything, restores the dump into an
empty database in one transaction, puts the files back (moved into the directories, or uploaded to
the bucket), then counts every table's rows again and compares them with the manifest.
"""

from core.backups.backup import BackupResult, create_backup
from core.backups.common import BackupError
from core.backups.postgres import table_row_counts
from core.backups.restore import RestoreResult, restore_backup

__all__ = ["BackupError", "BackupResult", "RestoreResult", "create_backup", "restore_backup", "table_row_counts"]
