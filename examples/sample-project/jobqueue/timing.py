"""Clocks, deadlines and cancellation."""
import anyio


async def measure(label: str, log: list) -> None:
    start = await anyio.current_time()
    await anyio.sleep(0.01)
    elapsed = await anyio.current_time() - start
    log.append(f"{label}: clock advanced: {elapsed > 0}")


async def with_deadlines(log: list) -> None:
    async with anyio.move_on_after(0.05) as scope:
        await anyio.sleep(5)
    log.append(f"move_on_after: gave up waiting: {scope.cancel_called}")

    try:
        async with anyio.fail_after(0.05):
            await anyio.sleep(5)
    except TimeoutError:
        log.append("fail_after: raised TimeoutError")


async def cancel_explicitly(log: list) -> None:
    async with anyio.open_cancel_scope() as scope:
        await scope.cancel()
        await anyio.sleep(5)
    log.append(f"cancel scope: cancelled: {scope.cancel_called}")
