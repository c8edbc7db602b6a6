from django.urls import path

from live import views

app_name = "live"

urlpatterns = [
    path("t/<str:tip_id>/events", views.tip_events, name="tip_events"),
    path("@<str:handle>/goal.json", views.goal_json, name="goal_json"),
    path("@<str:handle>/goal/events", views.goal_events, name="goal_events"),
]
