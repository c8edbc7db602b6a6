from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Tips and payments"

    def ready(self) -> None:
        from payments import receivers  # noqa: F401 - connects the receivers
        from payments.lightning import (
            address_wallet,  # noqa: F401 - registers its adapter
            nwc_wallet,  # noqa: F401 - registers the "nwc" adapter
            simulated,  # noqa: F401 - registers its wallet adapter
        )
