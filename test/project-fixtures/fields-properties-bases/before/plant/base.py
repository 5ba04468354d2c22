import anyio


class Machine:
    def __init__(self, name):
        self.name = name
        self.started = anyio.create_event()
        self._limit = anyio.create_capacity_limiter(2)

    @property
    def limiter(self):
        return self._limit
