from django.urls import path

from stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:slug>/", views.workspace_detail, name="workspace_detail"),
]
