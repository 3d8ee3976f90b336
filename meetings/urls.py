from django.urls import path

from meetings import views

app_name = "meetings"

# Fixed paths come before the slug patterns so that no meeting slug can shadow them.
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("calendar.ics", views.calendar_ics, name="calendar"),
    path("workplan/", views.workplan, name="workplan"),
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>/interest/", views.event_interest, name="event_interest"),
    path("events/<slug:slug>.ics", views.event_ics, name="event_ics"),
    path("events/<slug:slug>/register/", views.event_register, name="event_register"),
    path("registrations/<int:pk>/withdraw/", views.registration_withdraw, name="registration_withdraw"),
    path("<slug:slug>.ics", views.meeting_ics, name="ics"),
    path("<slug:slug>/", views.meeting_detail, name="detail"),
    path("<slug:slug>/register/", views.meeting_register, name="register"),
]
