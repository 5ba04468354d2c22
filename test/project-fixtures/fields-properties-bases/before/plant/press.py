from .base import Machine
from .parts import Gauge, Valve


class Press(Machine):
    async def run(self, log):
        await self.started.set()
        await self.limiter.acquire()
        log.append(f"{self.name} running, {self.limiter.borrowed_tokens} borrowed")
        await self.limiter.release()


async def cycle(log):
    valve = Valve()
    await valve.opened.set()
    gauge = Gauge("psi")
    await gauge.ready.set()
    log.append(f"valve {valve.opened.is_set()} {valve.closed.is_set()}, gauge {gauge.ready.is_set()}")
