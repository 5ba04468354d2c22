import pytest


@pytest.fixture
def pool():
    return Pool()


class Pool:
    async def spawn(self, fn):
        await fn()


@pytest.mark.anyio
async def test_ready(ready, limiter, pool, other):
    await ready.set()
    await limiter.release()
    await pool.spawn(test_ready)
    await other.set()
