import anyio


async def release_twice(limiter: anyio.CapacityLimiter, event):
    await limiter.release()
    await event.set()


async def main():
    limiter = anyio.create_capacity_limiter(1)
    await limiter.acquire()
    await release_twice(limiter, anyio.create_event())


anyio.run(main)
