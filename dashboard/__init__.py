"""The creator's dashboard: every creator-facing page.

Every object is fetched through creators.scoping.owned_by, so another creator's id
is a 404 whatever the page.
"""
