from django.urls import URLPattern, URLResolver, path

from jiedao.api import views
from jiedao.api.api import urls as api_v1_urls

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", api_v1_urls()),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
