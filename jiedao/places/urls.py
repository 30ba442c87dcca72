from django.urls import path

from jiedao.places import views

app_name = "places"
urlpatterns = [
    path("", views.place_list, name="list"),
    path("map/", views.map_page, name="map"),
    path("map.geojson", views.map_geojson, name="map_geojson"),
    path("resolve/", views.resolve, name="resolve"),
    path("<int:place_id>/", views.place_detail, name="detail"),
    path("<int:place_id>/card/", views.place_card, name="card"),
    path("people/<int:user_id>/phone/", views.reveal_phone, name="reveal_phone"),
]
