# This module never names the async library: everything comes from shop.groups.
from . import groups
from .groups import new_flag


async def pack(item, log, done):
    log.append(f"packed {item}")
    await done.set()


async def ship_all(items):
    log = []
    flags = []
    async with groups.open_group() as group:
        for item in items:
            flag = new_flag()
            flags.append(flag)
            await group.spawn(pack, item, log, flag)
    for waiting in flags:
        await waiting.wait()
    return sorted(log)
