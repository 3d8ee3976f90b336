from django.urls import path

from portal.views import places as views

app_name = "places"

urlpatterns = [
    path("cities/", views.city_list, name="cities"),
    path("cities/map/", views.city_map, name="map"),
    path("cities/<slug:slug>/", views.city_detail, name="city"),
]
