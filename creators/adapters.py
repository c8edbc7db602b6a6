from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Hook for sign-up rules (e.g. closing sign-ups); allauth's defaults otherwise."""
