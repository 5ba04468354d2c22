from .base import Machine
from .parts import Gauge, Valve


class Press(Machine):
    async def run(self, log):
        self.started.set()
        await self.limiter.acquire()
        log.append(f"{self.name} running, {self.limiter.borrowed_tokens} borrowed")
        self.limiter.release()


async def cycle(log):
    valve = Valve()
    valve.opened.set()
    gauge = Gauge("psi")
    gauge.ready.set()
    log.append(f"valve {valve.opened.is_set()} {valve.closed.is_set()}, gauge {gauge.ready.is_set()}")
