"""What a creator's Lightning invoices describe: the LNURL-pay metadata served at
`/.well-known/lnurlp/<handle>` and committed to by every invoice Bitcache asks for them
(tips, unified QR codes, purchases), and their Lightning Address on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from btc.lnurl import pay_metadata
from creators.models import Creator, LightningWalletKind
from payments.lightning.services import lightning_wallet_of


def address_identifier(creator: Creator) -> str:
    """`<handle>@<host>`, the creator's Lightning Address on this site."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{creator.handle.lower()}@{host}"


def provider_metadata(creator: Creator) -> str | None:
    """A Lightning Address connection's provider metadata: its invoices commit to that
    string (LUD-06), never to ours, so it is what this site serves for the creator too."""
    wallet = lightning_wallet_of(creator)
    if wallet is None or wallet.kind != LightningWalletKind.LIGHTNING_ADDRESS:
        return None
    metadata = wallet.public.get("metadata") if isinstance(wallet.public, dict) else None
    return metadata if isinstance(metadata, str) else None


def creator_metadata(creator: Creator) -> str:
    """The payRequest metadata, rebuilt identically for the callback (its hash is what the
    invoice commits to). Not translated: the bytes must not depend on who asks."""
    provider = provider_metadata(creator)
    if provider is not None:
        return provider
    return pay_metadata(
        text=f"Tip for {creator.display_name or creator.handle} (@{creator.handle}) on Bitcache",
        identifier=address_identifier(creator),
    )
