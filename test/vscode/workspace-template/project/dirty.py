import anyio


async def main():
    await anyio.sleep(0)


anyio.run(main)
