"""English and French: from the browser's language, switchable, every string translated."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

from payments.models import Tip

pytestmark = pytest.mark.django_db

PO_FILE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_the_tip_page_speaks_the_browsers_language(client, creator):
    page = client.get("/@alice", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()

    assert '<html lang="fr">' in page
    assert "Montant en sats" in page
    assert "Minimum 1\xa0000 sats" in page
    assert 'data-message-min="Le pourboire minimum est de 1\xa0000 sats."' in page
    assert 'data-submit-template="Donner {amount} sats"' in page


def test_the_widget_speaks_the_browsers_language(client, widget):
    page = client.get(f"/w/{widget.public_id}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<html lang="fr">' in page
    assert "Envoyer le pourboire" in page


def test_the_language_can_be_switched(client, creator):
    client.post("/i18n/setlang/", {"language": "fr", "next": "/@alice"})

    page = client.get("/@alice", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Montant en sats" in page


def test_the_payment_screen_and_refusals_are_in_french(client, creator):
    refused = client.post("/@alice", {"amount_sats": "10"}, HTTP_ACCEPT_LANGUAGE="fr")
    client.post("/@alice", {"amount_sats": "5000"}, HTTP_ACCEPT_LANGUAGE="fr")
    tip = Tip.objects.get()

    page = client.get(f"/t/{tip.public_id}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    error = re.search(r"data-amount-error>(.*?)</p>", refused.content.decode()).group(1)
    # French groups thousands with a (no-break) space, as the form's own hint does.
    assert error.replace("\u202f", "\xa0") == "Le pourboire minimum est de 1\xa0000 sats."
    assert "En attente de votre paiement…" in page
    assert "Ouvrir dans le portefeuille" in page


def po_entries() -> list[tuple[str, str, str]]:
    """(references, msgid, msgstr) of each entry of the French catalogue."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n")[1:]:
        refs = " ".join(line for line in block.splitlines() if line.startswith("#:"))
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        if "msgid_plural" in body:
            continue  # none of ours; gettext() cannot look plural forms up anyway
        parts = re.split(r"^msgstr(?:\[\d\])? ", body, flags=re.M)
        msgid = "".join(re.findall(r'"(.*)"', parts[0]))
        msgstr = "" if fuzzy else "".join(re.findall(r'"(.*)"', parts[1]))
        entries.append((refs, msgid, msgstr))
    return entries


@pytest.mark.parametrize("app", ["widgets", "dashboard"])
def test_every_string_of_the_viewer_and_creator_pages_has_a_french_translation(app):
    untranslated = [
        msgid
        for refs, msgid, msgstr in po_entries()
        if re.search(rf"(^|\s){app}/", refs) and not msgstr
    ]

    assert untranslated == []


def unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")


def test_the_compiled_catalogue_is_committed_and_matches_the_po_file():
    """A fresh clone needs no gettext: the .mo is committed, so it must be current."""
    with PO_FILE.with_suffix(".mo").open("rb") as mo_file:
        catalogue = gettext.GNUTranslations(mo_file)

    stale = [
        msgid
        for _refs, msgid, msgstr in po_entries()
        if msgstr and catalogue.gettext(unescape(msgid)) != unescape(msgstr)
    ]

    assert stale == []
