import anyio

from . import tasks
from .tasks import notify, relay, relay_later


async def lead(log):
    evt = anyio.Event()
    async with anyio.create_task_group() as tg:
        tg.start_soon(tasks.watch, evt, log)
        await notify(evt, log)
    await relay(anyio.Event())


def callbacks():
    # Handed out: its callers are not in view, so its parameter stays unknown.
    return [relay_later]
