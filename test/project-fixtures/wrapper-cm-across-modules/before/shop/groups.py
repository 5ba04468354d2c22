"""Helpers the rest of the shop uses instead of AnyIO directly."""
from contextlib import asynccontextmanager

import anyio


@asynccontextmanager
async def open_group():
    async with anyio.create_task_group() as g:
        yield g


def new_flag():
    return anyio.create_event()
