"""Tags that are the organizers' own bookkeeping ("proposed", "idea", "wish-list", "not-provided"):
kept on the entries for curation, never shown to the public (issue 15)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.text import CleanTextModel


class InternalTag(CleanTextModel):
    """Marks a tag as internal: it stays out of the public tag facet, the public entry pages and a
    public search's tag filter; curators see it everywhere."""

    tag = models.OneToOneField(
        Tag, verbose_name=_("tag"), primary_key=True, on_delete=models.CASCADE, related_name="internal"
    )
    note = models.CharField(_("what it is for"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("internal tag")
        verbose_name_plural = _("internal tags")

    def __str__(self):
        return self.tag.name
