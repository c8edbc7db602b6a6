from django.urls import path

from live import views

app_name = "live"

urlpatterns = [
    path("t/<str:tip_id>/events", views.tip_events, name="tip_events"),
]
