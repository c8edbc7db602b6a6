"""Webhooks: signed tip events posted to the creator's endpoints, retried for a day.

events.py says which events a status change makes, signing.py signs a body,
outgoing.py posts it through web/outgoing.py (no redirects, no private networks),
services.py creates, attempts and retries deliveries, selectors.py reads them.
"""
