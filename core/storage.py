"""Uploaded files on S3-compatible object storage (django-storages), chosen in settings when
AWS_STORAGE_BUCKET_NAME is set (docs/deployment.md).

Every object is private: no ACL grants anyone a read, and the storage gives out no URL at all, not
even a signed one. Files reach a browser only through the portal's views, which check who asks and
stream the object through the storage (`FieldFile.open`).
"""

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Stored files have no URL; serve them through a permission-checking view.")
