from django.urls import path

from jiedao.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.units, name="units"),
    path("favicon.ico", views.favicon, name="favicon"),
]
