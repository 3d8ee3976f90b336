"""File sizes in messages that compare a size with a limit."""

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _


def exact_bytes(number):
    """'20,971,521 bytes', grouped the way the active language groups digits."""
    return _("%(bytes)s bytes") % {"bytes": number_format(number, force_grouping=True)}


def upload_promise(limit):
    """The limit as an upload form promises it ("at most 20.0 MB"), from the same setting its
    validation and its body limit read (core/body_limits.py)."""
    return _("At most %(limit)s.") % {"limit": filesizeformat(limit)}


def size_and_limit(size, limit):
    """{"size": text, "limit": text} for "the file is %(size)s; the limit is %(limit)s" messages.

    Rounded (filesizeformat: "20.0 MB") when the rounded figures differ; in exact bytes when they would
    read the same ("The file is 20.0 MB; the limit is 20.0 MB" for 20 MB + 1 byte: issue 13, finding 7).
    """
    size_text, limit_text = filesizeformat(size), filesizeformat(limit)
    if size_text == limit_text:
        return {"size": exact_bytes(size), "limit": exact_bytes(limit)}
    return {"size": size_text, "limit": limit_text}
