from django.urls import path

from stakeholders import import_views, views

app_name = "stakeholders"

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:slug>/", views.overview, name="overview"),
    path("w/<slug:slug>/brokers/", views.brokers, name="brokers"),
    path("w/<slug:slug>/partnerships/", views.partnerships, name="partnerships"),
    path("w/<slug:slug>/people/<int:pk>/", views.person_detail, name="person_detail"),
    path(
        "w/<slug:slug>/organisations/<int:pk>/",
        views.organisation_detail,
        name="organisation_detail",
    ),
    path("w/<slug:slug>/scores/status/", views.scores_status, name="scores_status"),
    path("w/<slug:slug>/people/", views.workspace_detail, name="workspace_detail"),
    path("w/<slug:slug>/import/", import_views.import_upload, name="import_upload"),
    path("w/<slug:slug>/import/template.zip", import_views.import_template, name="import_template"),
    path("w/<slug:slug>/import/<uuid:token>/", import_views.import_preview, name="import_preview"),
    path(
        "w/<slug:slug>/import/<uuid:token>/confirm/",
        import_views.import_confirm,
        name="import_confirm",
    ),
]
