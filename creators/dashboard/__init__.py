"""The creator's tip dashboard: overview and chart, tip list and export, tip settings,
API keys and webhooks. Every object is fetched through creators.scoping.owned_by."""
