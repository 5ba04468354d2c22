/** Python texts shared by the server tests. */

/** AnyIO 2 code: safe and unsafe fixes, an error-severity rule, and emoji/CJK before a flagged call. */
export const SAMPLE = [
  'import anyio',
  '',
  '',
  'async def main():',
  '    label = "任务 🚀"; now = await anyio.current_time()',
  '    event = anyio.create_event()',
  '    await event.set()',
  '    limiter = anyio.CapacityLimiter(2)',
  '    await limiter.acquire()',
  '    await limiter.release()',
  '    async with anyio.open_cancel_scope() as scope:',
  '        await scope.cancel()',
  '',
  '',
  'async def other(x):',
  '    await x.set()',
  '',
  '',
  'anyio.run(main)',
  '',
].join('\n');

/** Already AnyIO 3: no findings. */
export const CLEAN = ['import anyio', '', '', 'async def main():', '    event = anyio.Event()', '    event.set()', '', '', 'anyio.run(main)', ''].join('\n');

/** A long AnyIO 2 module of exactly `lines` lines: whole 24-line blocks, then comment lines. */
export function bigModule(lines: number): string {
  const header = ['import anyio', 'from anyio import create_task_group', '', ''];
  const block = (i: number): string[] => [
    `class Worker${i}:`,
    `    def __init__(self):`,
    `        self.event = anyio.create_event()`,
    `        self.lock = anyio.create_lock()`,
    `        self.limiter = anyio.create_capacity_limiter(${(i % 7) + 1})`,
    '',
    `    async def run(self, items):`,
    `        now = await anyio.current_time()`,
    `        async with create_task_group() as tg:`,
    `            for item in items:`,
    `                await tg.spawn(self.handle, item, now)`,
    `        await self.event.set()`,
    '',
    `    async def handle(self, item, now):`,
    `        async with self.lock:`,
    `            await self.limiter.acquire()`,
    `            try:`,
    `                async with anyio.move_on_after(1) as scope:`,
    `                    print("item", item, "😀 任务", now)`,
    `                    await scope.cancel()`,
    `            finally:`,
    `                await self.limiter.release()`,
    '',
    '',
  ];
  const out = [...header];
  for (let i = 0; out.length + block(i).length <= lines; i++) out.push(...block(i));
  while (out.length < lines) out.push(`# padding line ${out.length + 1}`);
  return out.join('\n') + '\n';
}

/** A long module of mostly ordinary code with an AnyIO 2 usage every ~40 lines (exactly `lines` lines). */
export function sparseModule(lines: number): string {
  const out = ['import anyio', 'import json', '', ''];
  for (let i = 0; out.length < lines - 12; i++) {
    out.push(
      `def transform_${i}(rows, factor=${(i % 9) + 1}):`,
      `    """Scale the rows (行 ${i})."""`,
      `    result = [row * factor for row in rows if row % 3]`,
      `    return json.dumps({"n": len(result), "rows": result})`,
      '',
      '',
    );
    if (i % 7 === 0) out.push(`async def tick_${i}():`, `    return await anyio.current_time()`, '', '');
  }
  while (out.length < lines) out.push(`# padding line ${out.length + 1}`);
  return out.join('\n') + '\n';
}
