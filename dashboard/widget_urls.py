from django.urls import path

from dashboard import widgets as dashboard

app_name = "creator_widgets"

# Mounted at /dashboard/widgets/. Widget ids in these URLs are looked up among the
# signed-in creator's own widgets only: another creator's id is a 404.
urlpatterns = [
    path("", dashboard.widget_list, name="list"),
    path("new/", dashboard.widget_new, name="new"),
    path("<str:widget_id>/", dashboard.widget_edit, name="edit"),
    path("<str:widget_id>/active", dashboard.widget_toggle, name="toggle"),
]
