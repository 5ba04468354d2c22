import anyio
import pytest


@pytest.fixture
async def ready():
    evt = anyio.create_event()
    yield evt


@pytest.fixture(scope="module")
def limiter():
    return anyio.create_capacity_limiter(1)
