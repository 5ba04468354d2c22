import anyio


async def handler(event):
    await event.set()  # unsafe: `event` is not annotated, so on-save leaves it


# Handed out: not every caller of `handler` is in view, so what `event` is stays unproven.
HANDLERS = [handler]


async def main():
    lock = anyio.create_lock()
    await lock.acquire()
    await lock.release()
    await HANDLERS[0](anyio.create_event())
    await anyio.current_time()


anyio.run(main)
