"""The Lightning rail: invoices from the creator's own wallet, paid straight into it.

`wallets` is the one interface to a wallet (one adapter per LightningWallet kind); every
answer a wallet gives is checked (btc.bolt11.invoice_check) before anyone sees it.
"""
