/**
 * UI test: the getting-started walkthrough as a user finds it. "Welcome: Open Walkthrough..." in
 * the command palette lists "Get Started with AnyIO Migrate"; its page shows the four steps; a
 * step's markdown medium renders (its text inside the step's webview); a step's button runs our
 * command and the step's completion event ticks it. Screenshots: test-results/screenshots/walkthrough*.png.
 * Runs in plain Node (mocha) with the other UI tests.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { firstRow, openQuickInput, poll, quickInputWidget, SHOTS, startWorkbench, STEP_MS, type Workbench } from './support';

const TITLE = 'Get Started with AnyIO Migrate';
const STEPS = ['See the findings', 'Fix one', 'Preview and migrate the workspace', 'Pick a target'];

describe('UI: the getting-started walkthrough', function () {
  this.timeout(STEP_MS * 6);
  let wb: Workbench | undefined;
  let page: Page;

  before(async function () {
    fs.mkdirSync(SHOTS, { recursive: true });
    wb = await startWorkbench({ name: 'walkthrough', viewport: { width: 1600, height: 1000 } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
  });

  const widget = () => quickInputWidget(page);
  const stepButton = (id: string) => page.locator(`button.getting-started-step[data-step-id$="#getting-started#${id}"]`);
  const checkbox = (id: string) => page.locator(`[data-done-step-id$="#getting-started#${id}"]`);

  /** The frame of the step's markdown medium, once it shows the medium's first heading. */
  async function mediumShowing(heading: string): Promise<Frame> {
    return poll(page, `the medium headed "${heading}"`, async () => {
      for (const f of page.frames()) {
        const h1 = await f
          .locator('h1')
          .first()
          .innerText({ timeout: 500 })
          .catch(() => '');
        if (h1.trim() === heading) return f;
      }
      return undefined;
    });
  }

  it('"Welcome: Open Walkthrough..." lists it, and its page shows the four steps', async () => {
    await openQuickInput(page, 'F1', 'the command palette');
    await page.keyboard.type('Welcome: Open Walkthrough');
    await poll(page, 'the command', async () => /^Welcome: Open Walkthrough/.test(await firstRow(page)));
    await page.keyboard.press('Enter');
    await poll(page, `"${TITLE}" in the list`, async () => (await widget().locator('.monaco-list-row').allInnerTexts()).some((r) => r.includes(TITLE)));
    await page.keyboard.type('AnyIO Migrate');
    await poll(page, 'our walkthrough first', async () => (await firstRow(page)).includes(TITLE));
    await page.keyboard.press('Enter');
    await page.locator('.gettingStartedSlideDetails').getByText(TITLE).first().waitFor({ state: 'visible', timeout: STEP_MS });
    const titles = await poll(page, 'the step titles', async () => {
      const t = (await page.locator('.gettingStartedSlideDetails h3.step-title').allInnerTexts()).map((x) => x.trim());
      return t.length === STEPS.length ? t : undefined;
    });
    assert.deepStrictEqual(titles, STEPS);
  });

  it("each step's markdown medium renders, with its pictures", async () => {
    const ids = ['see-findings', 'fix-one', 'migrate-workspace', 'pick-target'];
    for (const [i, id] of ids.entries()) {
      await stepButton(id).click();
      await poll(page, `${id} expanded`, async () => (await stepButton(id).getAttribute('aria-expanded')) === 'true');
      const frame = await mediumShowing(STEPS[i]!);
      const images = frame.locator('img');
      const count = await images.count();
      if (id !== 'pick-target') assert.ok(count > 0, `${id}: no picture`);
      for (let k = 0; k < count; k++) {
        const width = await poll(
          page,
          `${id}: picture ${k} loaded`,
          async () =>
            (await images.nth(k).evaluate((img) => {
              const i = img as unknown as { complete: boolean; naturalWidth: number };
              return i.complete ? i.naturalWidth : 0;
            })) || undefined,
        );
        assert.ok(width > 100, `${id}: picture ${k} is ${width} px wide`);
      }
      if (id === 'pick-target') {
        const text = await frame.locator('body').innerText();
        for (const target of ['anyio3', 'anyio2+3', 'auto']) assert.ok(text.includes(target), `the target medium names ${target}`);
        await page.screenshot({ path: path.join(SHOTS, 'walkthrough.png') });
      }
    }
  });

  it("a step's button runs its command and the completion event ticks the step", async () => {
    assert.strictEqual(await checkbox('migrate-workspace').getAttribute('aria-checked'), 'false');
    await stepButton('migrate-workspace').click();
    await poll(page, 'migrate-workspace expanded', async () => (await stepButton('migrate-workspace').getAttribute('aria-expanded')) === 'true');
    await stepButton('migrate-workspace').locator('.button-container').getByText('Show Migration Report', { exact: true }).click();
    await poll(page, 'the step ticked', async () => (await checkbox('migrate-workspace').getAttribute('aria-checked')) === 'true');
    // The dry run ran: its report shows in the output panel, on our channel.
    await poll(page, 'the report in the output panel', async () => {
      for (const select of await page.locator('.part.panel select').all()) if (/AnyIO Migrate/.test(await select.inputValue())) return true;
      return false;
    });
    await page.screenshot({ path: path.join(SHOTS, 'walkthrough-step-done.png') });
    assert.strictEqual(await checkbox('pick-target').getAttribute('aria-checked'), 'false', 'only the step whose command ran is ticked');
  });
});
