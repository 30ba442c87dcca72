from django.urls import URLPattern, URLResolver

app_name = "upstream"
urlpatterns: list[URLPattern | URLResolver] = []
