from django.urls import URLPattern, URLResolver, path

from jiedao.integrations.push.api import push_api

app_name = "integrations"
urlpatterns: list[URLPattern | URLResolver] = [path("push/v1/", push_api.urls)]
