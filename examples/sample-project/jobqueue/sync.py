"""Start-up coordination: the service opens its gate once the announcer has run."""
import anyio


async def open_gate(log: list) -> None:
    ready = anyio.create_event()
    lock = anyio.create_lock()

    async def announce() -> None:
        await lock.acquire()
        try:
            log.append("announcer: holding the start-up lock")
        finally:
            await lock.release()
        await ready.set()

    async with anyio.create_task_group() as tg:
        await tg.spawn(announce)
        await ready.wait()
    log.append(f"gate: open (event set: {ready.is_set()}, lock free: {not lock.locked()})")
