import anyio


async def notify(done, ready):
    # `done` and `ready` are not annotated: the fixes are probably right, but unsafe.
    await done.set()
    await ready.set()


async def main():
    await notify(anyio.Event(), anyio.Event())


anyio.run(main)
