"""A wallet's BOLT11 invoice is shown to a viewer only if it is exactly the one we asked for."""

from __future__ import annotations

import bolt11 as bolt11_lib
import pytest
from bolt11.models.tags import TagChar
from coincurve import PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from btc.bolt11 import (
    InvoiceRefused,
    description_hash_of,
    invoice_check,
    invoice_decode,
    invoice_sign,
)

WALLET_KEY = bytes.fromhex("e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734")
OTHER_KEY = bytes.fromhex("5b" * 32)
DESCRIPTION = '[["text/plain","A tip for alice"],["text/identifier","alice@bitcache.test"]]'
HASH = description_hash_of(DESCRIPTION)
PAYMENT_HASH = "0001020304050607080900010203040506070809000102030405060708090102"
T0 = 1_750_000_000

# BOLT11's own example ("Please send $3 for a cup of coffee to the same peer, within one
# minute"), signed by the spec's node key 03e7156a...: an independent known answer.
SPEC_COFFEE = (
    "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqq"
    "syqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkp"
    "mdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh"
)
SPEC_NODE = "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad"


def _invoice(**overrides: object) -> str:
    fields: dict[str, object] = {
        "private_key": WALLET_KEY,
        "network": "regtest",
        "amount_msat": 2_100_000,
        "payment_hash": PAYMENT_HASH,
        "payment_secret": "11" * 32,
        "timestamp": T0,
        "description_hash": HASH,
        "expiry": 600,
    }
    fields.update(overrides)
    return invoice_sign(**fields)  # type: ignore[arg-type]


def _check(pr: str, **overrides: object) -> str:
    fields: dict[str, object] = {
        "amount_msat": 2_100_000,
        "network": "regtest",
        "description_hash": HASH,
        "now": T0 + 10,
    }
    fields.update(overrides)
    return invoice_check(pr, **fields)  # type: ignore[arg-type]


def _refusal(pr: str, **overrides: object) -> str:
    with pytest.raises(InvoiceRefused) as refused:
        _check(pr, **overrides)
    return refused.value.code


def test_the_bolt11_spec_example_decodes_to_its_published_fields():
    invoice = invoice_decode(SPEC_COFFEE)

    assert invoice.network == "mainnet"
    assert invoice.amount_msat == 250_000_000
    assert invoice.description == "1 cup coffee"
    assert invoice.expiry == 60
    assert invoice.payee == SPEC_NODE
    assert invoice.payment_hash == PAYMENT_HASH


def test_a_minted_invoice_decodes_to_what_was_asked_and_names_the_wallet_node():
    invoice = invoice_decode(_invoice())

    assert invoice.bolt11.startswith("lnbcrt21u1")
    assert invoice.amount_msat == 2_100_000
    assert invoice.description_hash == HASH
    assert invoice.payment_hash == PAYMENT_HASH
    assert invoice.expires_at == T0 + 600
    assert invoice.payee == PrivateKey(WALLET_KEY).public_key.format(compressed=True).hex()


def test_the_invoice_we_asked_for_passes_and_gives_its_payment_hash():
    assert _check(_invoice()) == PAYMENT_HASH


def test_a_minted_invoice_on_each_network_carries_that_network_prefix():
    for network, prefix in [("mainnet", "lnbc2"), ("testnet", "lntb2"), ("signet", "lntbs2")]:
        pr = _invoice(network=network)
        assert pr.startswith(prefix)
        assert _check(pr, network=network) == PAYMENT_HASH


def test_an_invoice_for_another_amount_is_refused():
    assert _refusal(_invoice(amount_msat=2_100_001)) == "wrong_amount"


def test_an_invoice_for_another_network_is_refused():
    assert _refusal(_invoice(network="mainnet")) == "wrong_network"
    assert _refusal(_invoice(network="testnet")) == "wrong_network"


def test_an_invoice_committing_to_another_description_is_refused():
    assert _refusal(_invoice(description_hash=description_hash_of("other"))) == (
        "wrong_description_hash"
    )


def test_an_invoice_with_a_plain_description_instead_of_the_hash_is_refused():
    pr = _invoice(description_hash=None, description=DESCRIPTION)
    assert _refusal(pr) == "wrong_description_hash"


def test_an_expired_invoice_is_refused_from_its_expiry_second_on():
    pr = _invoice()
    assert _check(pr, now=T0 + 599) == PAYMENT_HASH
    assert _refusal(pr, now=T0 + 600) == "expired"


def test_an_amountless_invoice_is_refused():
    decoded = bolt11_lib.decode(_invoice())
    decoded.amount_msat = None
    pr = bolt11_lib.encode(decoded, private_key=WALLET_KEY.hex())
    assert _refusal(pr) == "no_amount"


def test_an_invoice_signed_by_another_node_than_the_known_wallet_is_refused():
    wallet_node = PrivateKey(WALLET_KEY).public_key.format(compressed=True).hex()
    assert _check(_invoice(), payee=wallet_node) == PAYMENT_HASH
    assert _refusal(_invoice(private_key=OTHER_KEY), payee=wallet_node) == "wrong_payee"


def test_an_invoice_whose_named_payee_did_not_sign_it_is_refused():
    decoded = bolt11_lib.decode(_invoice())
    wallet_node = PrivateKey(WALLET_KEY).public_key.format(compressed=True).hex()
    decoded.tags.tags = [t for t in decoded.tags.tags if t.char != TagChar.payee]
    decoded.tags.add(TagChar.payee, wallet_node)
    forged = bolt11_lib.encode(decoded, private_key=OTHER_KEY.hex(), keep_payee=True)
    assert _refusal(forged) == "bad_signature"


def test_a_changed_character_breaks_the_invoice():
    pr = _invoice()
    changed = pr[:60] + ("q" if pr[60] != "q" else "p") + pr[61:]
    assert _refusal(changed) == "garbage"


@given(st.text(max_size=400))
def test_any_text_is_either_an_invoice_or_refused_with_a_reason(text: str):
    try:
        invoice_decode(text)
    except InvoiceRefused as refused:
        assert refused.message


def test_minting_refuses_ambiguous_descriptions_and_bad_hashes():
    with pytest.raises(ValueError):
        _invoice(description=DESCRIPTION)
    with pytest.raises(ValueError):
        _invoice(payment_hash="00" * 31)


def test_a_malleated_high_s_signature_is_refused():
    # (r, n - s) with the other recovery id recovers the same node key, but a reader must
    # not accept a signature libsecp256k1 would not verify.
    order = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    decoded = bolt11_lib.decode(_invoice())
    assert decoded.signature is not None
    data = decoded.signature.signature_data
    high_s = (order - int.from_bytes(data[32:64], "big")).to_bytes(32, "big")
    decoded.signature.signature_data = data[:32] + high_s + bytes([data[64] ^ 1])
    malleated = bolt11_lib.encode(decoded)

    assert bolt11_lib.decode(malleated).payee == bolt11_lib.decode(_invoice()).payee
    assert _refusal(malleated) == "bad_signature"
