"""Public catalogue pages (namespace `procedures`)."""

app_name = "procedures"
urlpatterns: list = []
