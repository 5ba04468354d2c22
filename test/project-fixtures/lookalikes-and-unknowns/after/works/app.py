import asyncio

import anyio
import somelib

from . import Pool
from .jobs import Future


async def job():
    pass


async def main():
    pool = Pool()
    await pool.spawn(job)
    fut = Future()
    await fut.cancel()
    flag = asyncio.Event()
    flag.set()
    # A task group from a library the engine cannot see: unknown, never "not AnyIO".
    group = somelib.make_group()
    await group.spawn(job)
    async with anyio.create_task_group() as tg:
        tg.start_soon(job)


async def run(thing):
    # Could be a Pool (the project's own async spawn) or a task group.
    await thing.spawn(job)
