import relay.signals as sig


async def _notify(evt, log):
    log.append("notify")
    evt.set()


async def relay_all(log):
    hub = sig.Hub()
    ready = await hub.start()
    await _notify(ready, log)
    await hub.ready.wait()

    async def also(done):
        log.append("also")
        done.set()

    second = sig.Hub()
    await also(await second.start())
    log.append(f"{hub.ready.is_set()} {second.ready.is_set()}")
