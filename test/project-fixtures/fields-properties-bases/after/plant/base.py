import anyio


class Machine:
    def __init__(self, name):
        self.name = name
        self.started = anyio.Event()
        self._limit = anyio.CapacityLimiter(2)

    @property
    def limiter(self):
        return self._limit
