# No AnyIO here: what the callers hand over is proven by their calls.


async def notify(evt, log):
    log.append("notify")
    evt.set()


async def watch(done, log):
    await done.wait()
    log.append("watched")


async def relay(flag):
    flag.set()


async def relay_later(flag):
    await flag.set()
