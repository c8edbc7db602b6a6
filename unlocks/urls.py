from django.urls import path

from unlocks import views

app_name = "unlocks"

urlpatterns = [
    path("@<str:handle>/u/<str:item_id>", views.item_page, name="item"),
    path("w/u/<str:item_id>/", views.item_widget, name="item_widget"),
    path("unlock/p/<str:purchase_id>/", views.purchase_page, name="purchase"),
    path("w/p/<str:purchase_id>/", views.purchase_widget, name="purchase_widget"),
    path("unlock/p/<str:purchase_id>/status.json", views.purchase_status, name="purchase_status"),
    path("unlock/recover", views.recover, name="recover"),
    # Last: a token is any single path segment.
    path("unlock/<str:token>", views.access, name="access"),
]
