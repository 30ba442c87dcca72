from django.urls import URLPattern, URLResolver, path

from jiedao.upstream import views

app_name = "upstream"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.import_index, name="index"),
    path("imports/new/", views.import_new, name="new"),
    path("imports/<int:run_id>/", views.import_detail, name="detail"),
    path("imports/<int:run_id>/progress/", views.import_progress, name="progress"),
    path("imports/<int:run_id>/errors.xlsx", views.import_errors, name="errors"),
    path("replies/", views.replies_export, name="replies"),
]
