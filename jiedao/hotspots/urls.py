from django.urls import path

from jiedao.hotspots import views

app_name = "hotspots"
urlpatterns = [
    path("", views.hotspot_index, name="index"),
    path("<int:hotspot_id>/", views.hotspot_detail, name="detail"),
    path("refresh/", views.hotspot_refresh, name="refresh"),
]
