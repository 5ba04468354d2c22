import anyio

from svc.sub.worker import work


async def main():
    log = []
    await work(log)
    print("\n".join(log))


anyio.run(main)
