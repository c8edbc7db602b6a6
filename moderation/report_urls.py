from django.urls import path

from moderation import report_views

app_name = "reports"

# Mounted at the site root, beside the tip pages (/@<handle>).
urlpatterns = [
    path("@<str:handle>/report", report_views.report, name="report"),
    path("@<str:handle>/report/sent", report_views.report_sent, name="sent"),
]
