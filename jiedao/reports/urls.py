from django.urls import path

from jiedao.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("new/", views.report_new, name="new"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/progress/", views.report_progress, name="progress"),
    path("<int:report_id>/comments/", views.report_comments, name="comments"),
    path("<int:report_id>/<str:fmt>/", views.report_download, name="download"),
]
