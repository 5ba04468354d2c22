import anyio


async def main():
    event = anyio.Event()
    event.set()
    async with anyio.create_task_group() as tg:
        tg.start_soon(anyio.sleep, 0)
    print(anyio.current_time())


anyio.run(main)
