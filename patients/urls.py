"""The patient's pages (namespace `patients`)."""

app_name = "patients"
urlpatterns: list = []
