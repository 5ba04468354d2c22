class Pool:
    """The project's own worker pool: its `spawn` is a coroutine."""

    def __init__(self):
        self.jobs = []

    async def spawn(self, fn, *args):
        self.jobs.append((fn, args))


class Future:
    def __init__(self):
        self.cancelled = False

    async def cancel(self):
        self.cancelled = True
