import anyio

_limiter = None


def shared_limiter():
    # Created on first use: AnyIO 2 objects need a running event loop.
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(1)
    return _limiter


def make_lock():
    lock = anyio.Lock()
    return lock
