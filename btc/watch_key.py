"""WatchKey: a creator's parsed watch-only key, the one source of their tip addresses."""

from __future__ import annotations

from dataclasses import dataclass, field

from btc.addresses import ScriptType, encode_address
from btc.bip32 import HARDENED, ExtendedPublicKey, format_step
from btc.descriptors import Descriptor
from btc.networks import Network

MASTER_KEY_WARNING = (
    "This is a master public key (the root of the wallet), not an account key like those at "
    "m/84h/0h/0h. It works, but check that the addresses below are the ones your wallet shows."
)


@dataclass(frozen=True, slots=True)
class DerivedAddress:
    index: int
    change: bool
    address: str
    path: str


@dataclass(frozen=True, slots=True)
class _Branch:
    """The receive or change branch: its key derived once, so each address is one step."""

    key: ExtendedPublicKey
    # "m/84h/0h/0h/0/" when the key's origin is known, else relative to the key: "0/".
    path_prefix: str


@dataclass(frozen=True, slots=True, repr=False)
class WatchKey:
    """An immutable watch-only key; build it with parse_key, which validates everything."""

    script_type: ScriptType
    network: str
    descriptor: str
    is_master: bool
    warnings: tuple[str, ...]
    _network: Network = field(compare=False)
    _receive: _Branch = field(compare=False)
    _change: _Branch | None = field(compare=False)

    @classmethod
    def from_descriptor(cls, descriptor: Descriptor, network: Network) -> WatchKey:
        is_master = descriptor.key.depth == 0
        if descriptor.origin is not None:
            origin_path: tuple[int, ...] | None = descriptor.origin.path
        else:
            # A master key is its own origin; any other key's place in its wallet is unknown.
            origin_path = () if is_master else None

        def branch(number: tuple[int, ...]) -> _Branch:
            steps = descriptor.steps + number
            if origin_path is None:
                parts = [format_step(step) for step in steps]
            else:
                parts = ["m", *(format_step(step) for step in origin_path + steps)]
            return _Branch(descriptor.branch_key(number), "".join(f"{part}/" for part in parts))

        return cls(
            script_type=descriptor.script_type,
            network=network.name,
            descriptor=str(descriptor),
            is_master=is_master,
            warnings=(MASTER_KEY_WARNING,) if is_master else (),
            _network=network,
            _receive=branch((0,) if descriptor.has_change_branch else ()),
            _change=branch((1,)) if descriptor.has_change_branch else None,
        )

    @property
    def has_change_branch(self) -> bool:
        return self._change is not None

    def address(self, index: int, *, change: bool = False) -> str:
        return self._address(self._branch(change), index)

    def addresses(
        self, start: int = 0, count: int = 10, *, change: bool = False
    ) -> list[DerivedAddress]:
        branch = self._branch(change)
        if start < 0 or count < 0 or start + count > HARDENED:
            raise ValueError(f"Address indexes run from 0 to {HARDENED - 1}.")
        return [
            DerivedAddress(
                index=index,
                change=change,
                address=self._address(branch, index),
                path=f"{branch.path_prefix}{index}",
            )
            for index in range(start, start + count)
        ]

    def derivation_path(self, index: int, *, change: bool = False) -> str:
        return f"{self._branch(change).path_prefix}{index}"

    def _branch(self, change: bool) -> _Branch:
        if not change:
            return self._receive
        if self._change is None:
            raise ValueError(
                "This key has no change branch: its descriptor ends in /0/* or /*, not /<0;1>/*."
            )
        return self._change

    def _address(self, branch: _Branch, index: int) -> str:
        return encode_address(self.script_type, branch.key.child_key(index), self._network)

    def __repr__(self) -> str:
        # Never the key itself: it reveals every address, and so the creator's whole balance.
        master = " master" if self.is_master else ""
        return f"<WatchKey {self.script_type.value} {self.network}{master}>"
