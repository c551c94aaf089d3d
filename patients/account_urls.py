"""Account pages under /accounts/: register, verify, login, logout, password reset."""

urlpatterns: list = []
