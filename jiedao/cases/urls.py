from django.urls import path

from jiedao.cases import views, views_callbacks, views_field

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("new/duplicates/", views.case_duplicates, name="duplicates"),
    path("callbacks/", views_callbacks.callback_queue, name="callbacks"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/reveal/", views.case_reveal, name="reveal"),
    path("<int:case_id>/duplicates/", views.case_duplicate_list, name="case_duplicates"),
    path("<int:case_id>/act/<slug:action>/", views.case_act, name="act"),
    path("report/", views_field.case_report, name="report"),
    path("<int:case_id>/attach/", views_field.case_attach, name="attach"),
    path("<int:case_id>/attachments/<int:attachment_id>/", views_field.attachment_download, name="attachment"),
]
