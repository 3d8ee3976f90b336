from django.urls import path

from depository import views
from depository.feeds import EntryFeed

app_name = "depository"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("pack.zip", views.briefing_pack, name="pack"),
    path("feed/", EntryFeed(), name="feed"),
    path("literature/", views.literature, name="literature"),
    path("literature/literature.<str:fmt>", views.literature_export, name="literature-export"),
    path("typology/", views.typology, name="typology"),
    path("glossary/", views.glossary, name="glossary"),
    path("<slug:slug>/", views.entry_detail, name="entry"),
    path("<slug:slug>/cite.<str:fmt>", views.entry_citation, name="cite"),
    path("<slug:slug>/files/<int:pk>/", views.attachment_download, name="attachment"),
]
