import anyio

from relay.run import relay_all


async def main():
    log = []
    await relay_all(log)
    print("\n".join(log))


anyio.run(main)
