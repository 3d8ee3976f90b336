"""The facet index: per facet value, the sorted array of the ids of the published entries that have it.

The public browse page counts a facet value as the size of an intersection of arrays (the `intarray`
extension's `&` and `icount`, in C) instead of a join and a GROUP BY. `depository.postings` keeps
the table current in the transaction of every change (see depository/signals.py and services.py).
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class FacetPosting(models.Model):
    # The facet's query-string name; "" for the row holding every published entry.
    facet = models.CharField(_("facet"), max_length=32)
    # The term's id (vocabularies, tags), the choice or year, or the country; "" for every published entry.
    value = models.CharField(_("value"), max_length=200)
    entry_ids = ArrayField(models.IntegerField(), verbose_name=_("entry ids"), default=list)

    class Meta:
        verbose_name = _("facet posting")
        verbose_name_plural = _("facet postings")
        constraints = [
            # The browse page looks a posting up by (facet, value).
            models.UniqueConstraint(fields=["facet", "value"], name="facet_posting_unique_value"),
        ]

    def __str__(self):
        return f"{self.facet}={self.value}"
