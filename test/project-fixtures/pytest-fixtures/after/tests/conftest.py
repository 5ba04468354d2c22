import anyio
import pytest


@pytest.fixture
async def ready():
    evt = anyio.Event()
    yield evt


@pytest.fixture(scope="module")
def limiter():
    return anyio.CapacityLimiter(1)
