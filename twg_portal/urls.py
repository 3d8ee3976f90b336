"""The project's URLs: each app's own, included under its prefix. The pages that read across apps
(home, city pages, the API, the sitemap) are the top floor's, `portal` (docs/architecture.md).

The public pages also answer under a language prefix (`/ar/depository/`, `/es/`, `/fr/`), so a link
carries its language; English keeps the unprefixed addresses (core/language_urls.py). Machine and
organizer addresses (admin, API, OAI-PMH, health check, robots.txt, sitemap, the language switch)
have none."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from core.language_urls import language_patterns
from depository.oai.views import endpoint as oai_endpoint
from portal.api import api
from portal.sitemaps import SITEMAPS
from portal.views import pages

urlpatterns = [
    path("healthz", pages.healthz, name="healthz"),
    path("robots.txt", pages.robots_txt, name="robots"),
    path("favicon.ico", pages.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("oai/", oai_endpoint, name="oai"),
    path("api/", api.urls),
    # People and cities moved to apps of their own (issue 19): organizers' bookmarks of their admin pages
    # still lead there.
    re_path(
        r"^admin/meetings/(?P<model>person|organization)/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/people/%(model)s/%(rest)s", permanent=True, query_string=True),
    ),
    re_path(
        r"^admin/depository/city/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/places/city/%(rest)s", permanent=True, query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    *language_patterns(
        path("", pages.home, name="home"),
        path("about/", pages.about, name="about"),
        path("depository/", include("depository.urls")),
        path("meetings/", include("meetings.urls")),
        path("members/", include("members.urls")),
        path("", include("portal.urls_places")),
        path("alerts/", include("alerts.urls")),
        path("network/", include("network.urls")),
    ),
]

# Errors in the protocol of the path (/oai/, /api/), Django's pages elsewhere (core/protocols.py).
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
