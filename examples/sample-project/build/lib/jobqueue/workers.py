"""The job pipeline: a memory stream feeds a consumer that checksums jobs in worker threads."""
from typing import List

import anyio
from anyio.abc.sockets import SocketStream
from anyio.streams.memory import MemoryObjectReceiveStream


def describe_peer(stream: SocketStream) -> str:
    """Name the client of a TCP connection (used by the network front end, not in this demo)."""
    host, port = stream.extra(anyio.abc.SocketAttribute.remote_address)[:2]
    return f"{host}:{port}"


def checksum(payload: str) -> int:
    """Blocking work: runs in a worker thread."""
    return sum(payload.encode()) % 251


async def record(log: list, message: str) -> None:
    log.append(message)


def report_from_thread(log: list, count: int) -> None:
    """Runs in a worker thread and calls back into the event loop."""
    anyio.run_async_from_thread(record, log, f"worker thread: reported {count} jobs")


async def consume(receive: MemoryObjectReceiveStream, limiter, log: list) -> None:
    async with receive:
        async for job in receive:
            value = await anyio.run_sync_in_worker_thread(checksum, job, limiter=limiter)
            log.append(f"job {job}: checksum {value}")


async def process(jobs: List[str], log: list) -> None:
    send, receive = anyio.create_memory_object_stream(5)
    for job in jobs:
        await send.send_nowait(job)
    await send.aclose()

    limiter = anyio.create_capacity_limiter(2)
    async with anyio.create_task_group() as tg:
        await tg.spawn(consume, receive, limiter, log)
    await anyio.run_sync_in_worker_thread(report_from_thread, log, len(jobs))
