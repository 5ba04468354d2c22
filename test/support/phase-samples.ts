/** Python texts for the tests of the fix loop's phases (test/core/fix-loop, test/server/migrate-edit). */

/**
 * A safe fix (ASY201 `create_event`) and an unsafe one (ASY401 on the unannotated `evt`) that both
 * ask for imports, and the unsafe one removes the last use of a `from anyio import` name: on the
 * input, one round would hold both.
 */
export const SAFE_AND_UNSAFE_IMPORTS = `from anyio import create_event, run_async_from_thread, run_sync_in_worker_thread
import anyio


def signal(evt):
    run_async_from_thread(evt.set)
    return "signalled"


async def main():
    event = create_event()
    print(await run_sync_in_worker_thread(signal, event))
    await event.wait()


anyio.run(main)
`;
