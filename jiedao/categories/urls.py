from django.urls import path

from jiedao.categories import views

app_name = "categories"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("tree.json", views.tree_json, name="tree_json"),
]
