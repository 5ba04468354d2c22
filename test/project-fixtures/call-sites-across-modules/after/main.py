import anyio

from crew.boss import lead


async def main():
    log = []
    await lead(log)
    print(log)


anyio.run(main)
