from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from twg_portal import views
from twg_portal.sitemaps import SITEMAPS

admin.site.site_header = _("TWG Portal administration")
admin.site.site_title = _("TWG Portal")
admin.site.index_title = _("Curate the depository, meetings and members")
admin.site.site_url = "/"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("depository/", include("depository.urls")),
    path("meetings/", include("meetings.urls")),
    path("members/", include("members.urls")),
    path("alerts/", include("alerts.urls")),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
