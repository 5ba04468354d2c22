import anyio
from anyio import create_event, create_task_group

from util.helpers import run_in_worker


async def main():
    done = create_event()
    async with create_task_group() as tg:
        await tg.spawn(run_in_worker, print, "hello")
    await done.set()


anyio.run(main)
