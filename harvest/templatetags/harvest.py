"""`{% entry_provenance entry %}`: where a harvested entry came from, on the entry page (one query)."""

from django import template

from harvest.models import Provenance

register = template.Library()


@register.inclusion_tag("harvest/provenance.html")
def entry_provenance(entry):
    provenance = Provenance.objects.select_related("source").filter(entry_id=entry.pk).first()
    return {"provenance": provenance}
