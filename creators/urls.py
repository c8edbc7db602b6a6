from django.urls import path

from creators import views

app_name = "creators"

# Mounted at /dashboard/. No URL carries an id: every page acts on the signed-in
# user's own creator, so there is nothing to guess or swap.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("welcome/", views.onboarding, name="onboarding"),
    path("profile/", views.profile_edit, name="profile"),
    path("key/", views.wallet_key, name="wallet_key"),
]
