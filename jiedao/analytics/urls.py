from django.urls import path

from jiedao.analytics import views, views_dashboard

app_name = "analytics"
urlpatterns = [
    path("", views.kpi_index, name="index"),
    path("cases/", views.kpi_cases, name="cases"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
]
