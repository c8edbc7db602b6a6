from django.urls import path

from dashboard import (
    api_keys,
    events,
    exports,
    lightning,
    overlays,
    tip_settings,
    tips,
    views,
    webhooks,
)
from dashboard import messages as message_views

app_name = "creators"

# Mounted at /dashboard/. Every page acts on the signed-in user's own creator; the ids
# some URLs carry (tips, API keys, webhooks, deliveries) are looked up among that
# creator's own rows only (creators.scoping), so another creator's id is a 404.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("welcome/", views.onboarding, name="onboarding"),
    path("events", events.dashboard_events, name="events"),
    path("events/poll", events.dashboard_events_poll, name="events_poll"),
    path("profile/", views.profile_edit, name="profile"),
    path("key/", views.wallet_key, name="wallet_key"),
    path("tips/", tips.tip_list, name="tips"),
    path("tips/exports/", exports.export_start, name="tips_export"),
    path("tips/exports/<str:export_id>/", exports.export_status, name="tips_export_status"),
    path(
        "tips/exports/<str:export_id>/download",
        exports.export_download,
        name="tips_export_download",
    ),
    path("tips/<str:tip_id>/", tips.tip_detail, name="tip"),
    path("settings/", tip_settings.tip_settings, name="tip_settings"),
    path("messages/", message_views.tip_messages, name="messages"),
    path("messages/hold", message_views.message_policy, name="message_policy"),
    path("messages/<str:public_id>", message_views.tip_message, name="message"),
    path("overlays/", overlays.overlay_settings, name="overlays"),
    path("overlays/regenerate", overlays.overlay_regenerate, name="overlays_regenerate"),
    path("overlays/goal-reset", overlays.overlay_goal_reset, name="overlays_goal_reset"),
    path("overlays/test-alert", overlays.overlay_test_alert, name="overlays_test_alert"),
    path("api-keys/", api_keys.api_key_list, name="api_keys"),
    path("api-keys/<int:key_id>/revoke", api_keys.api_key_revoke, name="api_key_revoke"),
    path("lightning/", lightning.lightning_page, name="lightning"),
    path("lightning/test", lightning.lightning_test, name="lightning_test"),
    path("lightning/remove", lightning.lightning_remove, name="lightning_remove"),
    path("webhooks/", webhooks.endpoint_list, name="webhooks"),
    path("webhooks/new/", webhooks.endpoint_new, name="webhook_new"),
    path("webhooks/<str:endpoint_id>/", webhooks.endpoint_detail, name="webhook"),
    path("webhooks/<str:endpoint_id>/active", webhooks.endpoint_toggle, name="webhook_toggle"),
    path("webhooks/<str:endpoint_id>/delete", webhooks.endpoint_delete, name="webhook_delete"),
    path(
        "webhooks/<str:endpoint_id>/deliveries/<int:delivery_id>/redeliver",
        webhooks.delivery_redeliver,
        name="webhook_redeliver",
    ),
]
