import anyio


async def run_in_worker(func, *args):
    return await anyio.run_sync_in_worker_thread(func, *args)


async def deadline():
    async with anyio.move_on_after(1) as scope:
        await anyio.sleep(0)
    return scope.cancel_called
