"""Viewer reports: /@<handle>/report (no account, CSRF, rate-limited), resolved by staff."""

from __future__ import annotations

import pytest
from django.test import Client

from moderation.models import ModerationLogEntry, Report
from moderation.services import REPORTS_PER_CREATOR_PER_HOUR, REPORTS_PER_HOUR
from tests.factories import CreatorFactory
from widgets.services import widget_create

pytestmark = pytest.mark.django_db

VIEWER_IP = "203.0.113.7"


def report(client, handle: str = "alice", ip: str = VIEWER_IP, **data):
    data = {"reason": "scam", "details": "Asks for seed words.", **data}
    return client.post(f"/@{handle}/report", data, REMOTE_ADDR=ip)


def test_it_shows_the_report_form_with_the_reasons(client, creator):
    response = client.get("/@alice/report")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'value="impersonation"' in page and "Pretends to be someone else" in page


def test_a_viewer_reports_a_creator_without_an_account(client, creator):
    response = report(client)

    assert response.status_code == 302
    assert response["Location"] == "/@alice/report/sent"
    saved = Report.objects.get()
    assert (saved.creator, saved.reason, saved.details) == (creator, "scam", "Asks for seed words.")
    assert saved.resolved_at is None
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_it_keeps_a_keyed_hash_of_the_address_never_the_address(client, creator):
    report(client)
    report(client, ip="198.51.100.9")

    first, second = Report.objects.order_by("pk").values_list("reporter_fingerprint", flat=True)
    assert len(first) == 64 and int(first, 16) >= 0
    assert first != second
    assert VIEWER_IP not in first


def test_the_details_are_optional_but_the_reason_is_not(client, creator):
    assert report(client, details="").status_code == 302
    assert report(client, reason="").status_code == 400
    assert report(client, reason="not-a-reason").status_code == 400
    assert Report.objects.count() == 1


def test_it_needs_the_csrf_token(creator):
    response = report(Client(enforce_csrf_checks=True))

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_it_answers_404_for_an_unknown_handle(client, db):
    assert client.get("/@nobody/report").status_code == 404
    assert report(client, handle="nobody").status_code == 404


def test_it_slows_down_one_client_reporting_one_creator_again_and_again(client, creator):
    for _ in range(REPORTS_PER_CREATOR_PER_HOUR):
        assert report(client).status_code == 302

    response = report(client)

    assert response.status_code == 429
    assert "Please slow down" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Report.objects.count() == REPORTS_PER_CREATOR_PER_HOUR
    assert report(client, ip="198.51.100.9").status_code == 302  # someone else still can


def test_it_slows_down_one_client_reporting_many_creators(client, creator):
    handles = [CreatorFactory(wallet_key=None).handle for _ in range(7)]
    for handle in handles:
        for _ in range(REPORTS_PER_CREATOR_PER_HOUR):
            report(client, handle=handle)

    assert Report.objects.count() == REPORTS_PER_HOUR
    assert report(client).status_code == 429
    assert Report.objects.count() == REPORTS_PER_HOUR


def test_reports_are_grouped_per_creator_in_the_queue(moderator_client, creator):
    Report.objects.create(creator=creator, reason="scam", details="Fake giveaway.")
    Report.objects.create(creator=creator, reason="spam")

    queue = moderator_client.get("/staff/?show=reported").content.decode()
    file = moderator_client.get(f"/staff/creators/{creator.pk}/").content.decode()

    assert "2 open reports" in queue
    assert "Fake giveaway." in file and "Scam or fraud" in file and "Spam" in file


def test_a_moderator_resolves_a_report_with_a_note(moderator_client, moderator, creator):
    open_report = Report.objects.create(creator=creator, reason="scam")

    response = moderator_client.post(
        f"/staff/reports/{open_report.pk}/resolve/", {"reason": "Channel checked, legit."}
    )

    assert response.status_code == 302
    open_report.refresh_from_db()
    assert open_report.resolved_by == moderator
    assert open_report.resolution_note == "Channel checked, legit."
    entry = ModerationLogEntry.objects.get()
    assert (entry.creator, entry.actor, entry.action) == (creator, moderator, "resolve_report")
    assert "Channel checked, legit." in entry.reason


def test_resolving_needs_a_note(moderator_client, creator):
    open_report = Report.objects.create(creator=creator, reason="scam")

    response = moderator_client.post(f"/staff/reports/{open_report.pk}/resolve/", {"reason": ""})

    assert response.status_code == 400
    assert b"This field is required." in response.content
    open_report.refresh_from_db()
    assert open_report.resolved_at is None
    assert not ModerationLogEntry.objects.exists()


def test_a_moderator_resolves_all_of_a_creators_open_reports(moderator_client, creator):
    reports = [Report.objects.create(creator=creator, reason="spam") for _ in range(3)]
    elsewhere = Report.objects.create(creator=CreatorFactory(), reason="spam")

    response = moderator_client.post(
        f"/staff/creators/{creator.pk}/resolve-reports/", {"reason": "Duplicates of one wave."}
    )

    assert response.status_code == 302
    for resolved in reports:
        resolved.refresh_from_db()
        assert resolved.resolution_note == "Duplicates of one wave."
    elsewhere.refresh_from_db()
    assert elsewhere.resolved_at is None
    assert ModerationLogEntry.objects.filter(action="resolve_report").count() == 3


def test_a_resolved_report_is_not_resolved_twice(moderator_client, creator):
    open_report = Report.objects.create(creator=creator, reason="scam")
    url = f"/staff/reports/{open_report.pk}/resolve/"
    moderator_client.post(url, {"reason": "Done."})

    response = moderator_client.post(url, {"reason": "Again."}, follow=True)

    assert "already resolved" in response.content.decode()
    open_report.refresh_from_db()
    assert open_report.resolution_note == "Done."
    assert ModerationLogEntry.objects.count() == 1


def test_the_tip_page_links_to_the_report_form(client, creator):
    page = client.get("/@alice").content.decode()

    assert 'href="/@alice/report"' in page
    assert "Report this creator" in page


def test_the_widget_opens_the_report_form_in_a_new_tab(client, creator):
    widget = widget_create(creator=creator, label="Videos", min_tip_sats=1000)

    page = client.get(f"/w/{widget.public_id}/").content.decode()

    assert 'href="/@alice/report" target="_blank" rel="noopener"' in page
