"""Nostr for Bitcache's Lightning rail: signed events, NIP-44 encryption, NIP-47 (Nostr Wallet
Connect) messages and NIP-57 zaps. Pure Python, no Django, tested without settings.

Cryptography (Schnorr signatures, event ids, NIP-44 v2, NIP-04) is rust-nostr's, through the
`nostr-sdk` bindings; `nwc.events` and `nwc.encryption` wrap that untyped API behind typed
functions over hex strings, so the rest of the package (and the Django rail above it) never
touches a nostr_sdk object. The protocol rules (which tags, which kinds, who signed what)
are ours, in `nwc.nip47` and `nwc.nip57`.

Named `nwc`, not `nostr`, so it never shadows an installed distribution's module.
"""
