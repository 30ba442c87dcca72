from django.urls import path

from jiedao.cases import public_views

app_name = "public"
urlpatterns = [
    path("", public_views.submit, name="submit"),
    path("track/", public_views.track, name="track"),
]
