import dataclasses

import anyio
import attr


@attr.s
class Valve:
    opened = attr.ib(factory=anyio.Event)
    closed = attr.ib(default=attr.Factory(anyio.Event))


@dataclasses.dataclass
class Gauge:
    label: str
    ready: anyio.Event = dataclasses.field(default_factory=anyio.Event)
