"""GET /depository/feed/: an Atom feed of newly published entries, honouring the browse page's filters
(a practitioner subscribes to `?violence_type=gender-based&city_type=post-conflict`)."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from depository import search
from depository.creators import creators_prefetch, public_viewer, shown_creators
from depository.models import Entry

FEED_LENGTH = 50


class EntryFeed(Feed):
    feed_type = Atom1Feed
    title = _("TWG depository: newly published")
    subtitle = _("New tools, practices and literature on urban safety and peacebuilding.")
    # RFC 4287 4.1.1: a feed has an author unless every entry has one (most entries have none).
    author_name = _("Technical Working Group on the Confluence of Urban Safety and Peacebuilding")

    def __call__(self, request, *args, **kwargs):
        # Public entries only, whoever asks (a feed reader is anonymous; a curator's drafts stay out).
        results = search.search(request.GET, AnonymousUser(), order=search.Sort.NEWEST, highlight=False)
        if results.errors:
            return HttpResponseBadRequest("This feed's filters could not be understood.\n", content_type="text/plain")
        request.search_results = results
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return request.search_results

    def link(self, results):
        query = results.query_string
        return reverse("depository:browse") + (f"?{query}" if query else "")

    def feed_url(self, results):
        """rel="self" (RFC 4287 4.2.7.2): this feed with its filters, so a subscription keeps them."""
        query = results.query_string
        return reverse("depository:feed") + (f"?{query}" if query else "")

    def author_link(self):
        return reverse("home")

    def items(self, results):
        return (
            results.entries.defer(*Entry.LONG_TEXT_FIELDS)
            .prefetch_related(None)
            .prefetch_related(creators_prefetch())[:FEED_LENGTH]
        )

    # In the language of the request (its cookie or Accept-Language), falling back to the original.
    def item_title(self, entry):
        return entry.translated_title

    def item_description(self, entry):
        return entry.translated_summary

    def item_pubdate(self, entry):
        # The document's own date, not the day it was added to the portal (Atom <published>).
        issued = entry.issued
        return datetime.datetime.combine(issued, datetime.time(), tzinfo=datetime.UTC) if issued else None

    def item_updateddate(self, entry):
        return entry.updated_at

    def item_author_name(self, entry):
        """The creators anyone may see ('Given Family; Organization'), else the publisher."""
        names = [creator.display_name for creator in shown_creators(entry, public_viewer())]
        return "; ".join(names) or entry.publisher or None
