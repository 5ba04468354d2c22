import anyio


async def release_twice(limiter: anyio.CapacityLimiter, event):
    await limiter.release()
    await event.set()


# Handed out: not every caller is in view, so what `event` is stays unproven.
RELEASERS = [release_twice]


async def main():
    limiter = anyio.create_capacity_limiter(1)
    await limiter.acquire()
    await RELEASERS[0](limiter, anyio.create_event())


anyio.run(main)
