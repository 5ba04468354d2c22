from .. import make_lock, shared_limiter
from ..sync import shared_limiter as limiter_of


async def work(log):
    lock = make_lock()
    await lock.acquire()
    log.append(f"locked {lock.locked()}")
    lock.release()
    async with shared_limiter():
        log.append(f"tokens {shared_limiter().total_tokens}")
    limiter = limiter_of()
    limiter.total_tokens = 2
    log.append(f"now {limiter.total_tokens}")
