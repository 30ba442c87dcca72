"""GeoReport v2 at /open311/v2/: every resource ends with its format (.xml or .json); discovery also one level up."""

from django.urls import URLPattern, URLResolver, path, re_path

from jiedao.open311 import views

app_name = "open311"

FORMAT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery_root"),
    path("v2/", views.discovery, {"fmt": "xml"}, name="root"),
    re_path(r"^v2/discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^v2/services" + FORMAT, views.service_list, name="services"),
    re_path(r"^v2/services/(?P<service_code>[^/]+?)" + FORMAT, views.service_definition, name="service"),
    re_path(r"^v2/requests" + FORMAT, views.requests, name="requests"),
    re_path(r"^v2/requests/(?P<service_request_id>[^/]+?)" + FORMAT, views.request_detail, name="request"),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + FORMAT, views.token_detail, name="token"),
    re_path(r"^v2/(?P<rest>.*)$", views.not_found),
]
