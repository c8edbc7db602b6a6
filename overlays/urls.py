from django.urls import path

from overlays import views

app_name = "overlays"

# The token is the credential (overlays.models.OverlaySettings): public by design.
urlpatterns = [
    path("overlay/<str:token>/alerts", views.alerts, name="alerts"),
    path("overlay/<str:token>/goal", views.goal, name="goal"),
    path("overlay/<str:token>/supporters", views.supporters, name="supporters"),
    path("overlay/<str:token>/events", views.events, name="events"),
]
