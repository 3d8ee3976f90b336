from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from depository.api import api
from depository.oai.views import endpoint as oai_endpoint
from twg_portal import views
from twg_portal.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("depository/", include("depository.urls")),
    path("oai/", oai_endpoint, name="oai"),
    path("api/", api.urls),
    path("meetings/", include("meetings.urls")),
    path("members/", include("members.urls")),
    path("", include("places.urls")),
    path("alerts/", include("alerts.urls")),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
