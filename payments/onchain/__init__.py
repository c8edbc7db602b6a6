"""The on-chain rail: addresses derived from the creator's key (allocation within the gap
limit) and the watcher that credits what the chain shows to them.

The rules a tip follows whatever the rail (status, flags, crediting) are payments'
own (`payments.services`); a second rail sits beside this package, not inside it. The
watcher knows no tenants and renders nothing (an import-linter contract says so).
"""
