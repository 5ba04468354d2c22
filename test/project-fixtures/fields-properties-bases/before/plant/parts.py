import dataclasses

import anyio
import attr


@attr.s
class Valve:
    opened = attr.ib(factory=anyio.create_event)
    closed = attr.ib(default=attr.Factory(anyio.create_event))


@dataclasses.dataclass
class Gauge:
    label: str
    ready: anyio.abc.Event = dataclasses.field(default_factory=anyio.create_event)
