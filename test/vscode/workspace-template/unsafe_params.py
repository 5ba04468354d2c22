import anyio


async def notify(done, ready):
    # `done` and `ready` are not annotated and `notify` is handed out (not every caller is in
    # view): the fixes are probably right, but unsafe.
    await done.set()
    await ready.set()


NOTIFIERS = {"default": notify}


async def main():
    await NOTIFIERS["default"](anyio.Event(), anyio.Event())


anyio.run(main)
