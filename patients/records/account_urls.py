"""Account pages under /accounts/: register, verify, login, logout, password reset.

The names are not namespaced (`login`, `logout`, `register`, `password_reset`...)
because Django's auth views and settings.LOGIN_URL look them up that way.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from patients.records import account_views

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("register/", account_views.register, name="register"),
    path("register/done/", account_views.register_done, name="register_done"),
    path("verify/<str:token>/", account_views.verify_email, name="verify_email"),
    path("password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("welcome/<uidb64>/<token>/", account_views.InvitationView.as_view(), name="invitation"),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(template_name="registration/change_form.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/change_done.html"),
        name="password_change_done",
    ),
]
