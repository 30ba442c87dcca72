from django.urls import path

from jiedao.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/reveal/", views.case_reveal, name="reveal"),
    path("<int:case_id>/act/<slug:action>/", views.case_act, name="act"),
]
