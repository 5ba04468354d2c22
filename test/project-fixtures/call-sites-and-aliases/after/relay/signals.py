import anyio


class Hub:
    def __init__(self):
        self.ready = None

    async def start(self):
        self.ready = anyio.Event()
        return self.ready
