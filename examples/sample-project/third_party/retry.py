"""Vendored helper (excluded from migration in pyproject.toml: it is migrated upstream)."""
import anyio


async def retry(fn, attempts: int = 3, delay: float = 0.1):
    deadline = await anyio.current_time() + attempts * delay * 10
    for attempt in range(attempts):
        try:
            return await fn()
        except OSError:
            if attempt == attempts - 1 or await anyio.current_time() > deadline:
                raise
            await anyio.sleep(delay)
