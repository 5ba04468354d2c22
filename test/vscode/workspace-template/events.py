import anyio


async def main():
    event = anyio.create_event()
    await event.set()
    async with anyio.create_task_group() as tg:
        await tg.spawn(anyio.sleep, 0)
    now = await anyio.current_time()
    print(now)


anyio.run(main)
