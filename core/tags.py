"""The tag field every form uses (members' papers, the admin's entries)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagField
from taggit.models import Tag

TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length  # 100: taggit's column


class BoundedTagField(TagField):
    """taggit's comma-separated TagField, refusing a tag longer than its column with a form error
    instead of a DataError (a 500) when the tag is saved (issue 13, finding 8)."""

    def clean(self, value):
        tags = super().clean(value)
        too_long = [tag for tag in tags if len(tag) > TAG_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                _("A tag may have at most %(limit)d characters; this one has %(length)d: %(tag)s"),
                code="tag_too_long",
                params={"limit": TAG_MAX_LENGTH, "length": len(too_long[0]), "tag": too_long[0][:40] + "…"},
            )
        return tags
