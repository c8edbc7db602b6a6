from django.urls import path

from moderation import views as staff_views

app_name = "staff"

# Mounted at /staff/. Pages that change anything take POST only (with CSRF).
urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("creators/<int:creator_id>/", staff_views.creator_detail, name="creator"),
    path("act/", staff_views.act, name="act"),
    path(
        "creators/<int:creator_id>/resolve-reports/",
        staff_views.resolve_reports,
        name="resolve_reports",
    ),
    path("reports/<int:report_id>/resolve/", staff_views.resolve_report, name="resolve_report"),
    path("messages/", staff_views.tip_messages, name="messages"),
    path("messages/<int:tip_id>/hide/", staff_views.tip_message_hide, name="message_hide"),
    path("messages/<int:tip_id>/approve/", staff_views.tip_message_approve, name="message_approve"),
    path("log/", staff_views.log, name="log"),
    path("status/", staff_views.platform_status, name="status"),
]
