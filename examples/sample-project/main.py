"""Run every part of the job queue once and print what happened, in a fixed order."""
import anyio

from jobqueue import JOBS
from jobqueue.sync import open_gate
from jobqueue.timing import cancel_explicitly, measure, with_deadlines
from jobqueue.workers import process


async def main() -> None:
    log: list = []
    await open_gate(log)
    await measure("warm-up", log)
    await with_deadlines(log)
    await cancel_explicitly(log)
    await process(JOBS, log)
    for line in log:
        print(line)
    print(f"{len(log)} steps completed")


if __name__ == "__main__":
    anyio.run(main)
