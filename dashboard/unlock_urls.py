from django.urls import path

from dashboard import unlocks as dashboard

app_name = "creator_unlocks"

# Mounted at /dashboard/unlocks/. Ids in these URLs are looked up among the signed-in
# creator's own items and grants only: another creator's id is a 404.
urlpatterns = [
    path("", dashboard.item_list, name="list"),
    path("new/", dashboard.item_new, name="new"),
    path("<str:item_id>/", dashboard.item_edit, name="edit"),
    path("<str:item_id>/active", dashboard.item_toggle, name="toggle"),
    path("<str:item_id>/grants/<str:grant_id>/revoke", dashboard.grant_revoke, name="revoke"),
]
