from django.urls import path

from depository import views

app_name = "depository"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("<slug:slug>/", views.entry_detail, name="entry"),
]
