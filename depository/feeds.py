"""GET /depository/feed/: an Atom feed of newly published entries, honouring the browse page's filters
(a practitioner subscribes to `?violence_type=gender-based&city_type=post-conflict`)."""

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from depository.creators import creators_prefetch, public_viewer, shown_creators
from depository.filters import EntryFilterSet
from depository.models import Entry

FEED_LENGTH = 50


class EntryFeed(Feed):
    feed_type = Atom1Feed
    title = _("TWG depository: newly published")
    subtitle = _("New tools, practices and literature on urban safety and peacebuilding.")
    # RFC 4287 4.1.1: a feed has an author unless every entry has one (most entries have none).
    author_name = _("Technical Working Group on the Confluence of Urban Safety and Peacebuilding")

    def __call__(self, request, *args, **kwargs):
        filterset = EntryFilterSet(request.GET, queryset=Entry.objects.published())
        if not filterset.is_valid():
            return HttpResponseBadRequest("This feed's filters could not be understood.\n", content_type="text/plain")
        request.filterset = filterset
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return request.filterset

    def link(self, filterset):
        query = filterset.query_string()
        return reverse("depository:browse") + (f"?{query}" if query else "")

    def feed_url(self, filterset):
        """rel="self" (RFC 4287 4.2.7.2): this feed with its filters, so a subscription keeps them."""
        query = filterset.query_string()
        return reverse("depository:feed") + (f"?{query}" if query else "")

    def author_link(self):
        return reverse("home")

    def items(self, filterset):
        return (
            filterset.entries()
            .defer(*Entry.LONG_TEXT_FIELDS)
            .prefetch_related(creators_prefetch())
            .order_by(F("published_at").desc(nulls_last=True), "-pk")[:FEED_LENGTH]
        )

    # In the language of the request (its cookie or Accept-Language), falling back to the original.
    def item_title(self, entry):
        return entry.translated_title

    def item_description(self, entry):
        return entry.translated_summary

    def item_pubdate(self, entry):
        return entry.published_at

    def item_updateddate(self, entry):
        return entry.updated_at

    def item_author_name(self, entry):
        """The creators anyone may see ('Given Family; Organization'), else the publisher."""
        names = [creator.display_name for creator in shown_creators(entry, public_viewer())]
        return "; ".join(names) or entry.publisher or None
