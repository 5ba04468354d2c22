import anyio

from plant.press import Press, cycle


async def main():
    log = []
    press = Press("p1")
    await press.run(log)
    await cycle(log)
    print(press.started.is_set())
    print("\n".join(log))


anyio.run(main)
