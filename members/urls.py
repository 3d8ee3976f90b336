from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from members.views import accounts, dashboard, papers, questions

app_name = "members"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("invitation/<str:token>/", accounts.invitation, name="invitation"),
    # Django's own log-in, log-out, password change and reset, with the portal's templates.
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("members:password_change_done")),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        accounts.PasswordResetView.as_view(success_url=reverse_lazy("members:password_reset_done")),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("members:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("papers/new/", papers.paper_create, name="paper_create"),
    path("papers/<int:pk>/", papers.paper_detail, name="paper"),
    path("papers/<int:pk>/edit/", papers.paper_edit, name="paper_edit"),
    path("papers/<int:pk>/upload/", papers.paper_upload, name="paper_upload"),
    path("papers/<int:pk>/versions/<int:number>/file/", papers.paper_file, name="paper_file"),
    path("papers/<int:pk>/<slug:action>/", papers.paper_transition, name="paper_transition"),
    path("questions/", questions.question_list, name="questions"),
    path("questions/<int:pk>/answer/", questions.answer, name="answer"),
]
