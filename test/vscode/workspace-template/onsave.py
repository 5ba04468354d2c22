import anyio


async def handler(event):
    await event.set()  # unsafe: `event` is not annotated, so on-save leaves it


async def main():
    lock = anyio.create_lock()
    await lock.acquire()
    await lock.release()
    await handler(anyio.create_event())
    await anyio.current_time()


anyio.run(main)
