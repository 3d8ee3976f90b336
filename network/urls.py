from django.urls import path

from network import views

app_name = "network"
urlpatterns = [
    path("", views.directory_page, name="directory"),
    path("profile/", views.profile_edit, name="profile"),
    path("people/", views.people_panel, name="people"),
    path("groups/", views.subgroup_list, name="subgroups"),
    path("groups/<slug:slug>/", views.subgroup_detail, name="subgroup"),
    path("groups/<slug:slug>/join/", views.subgroup_join, name="join"),
    path("groups/<slug:slug>/accept/<int:pk>/", views.subgroup_accept, name="accept"),
    path("groups/<slug:slug>/updates/", views.subgroup_post, name="post"),
    path("groups/<slug:slug>/delivery/", views.subgroup_delivery, name="delivery"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
