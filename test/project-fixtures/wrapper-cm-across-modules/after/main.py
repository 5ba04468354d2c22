import anyio

from shop.orders import ship_all


async def main():
    print(await ship_all(["tea", "cups"]))


anyio.run(main)
