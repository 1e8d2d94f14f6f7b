// The page for authors and the full-description page in headless Chromium (Debian's, driven by
// playwright-core): upload a PNG, see the alt text, copy it; upload a non-image, see the error;
// keyboard focus order; axe-core finds no serious or critical violation; injection attempts on
// /d/<id> render as text (no dialog, no extra element). Exits non-zero on the first failure.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const require = createRequire(path.join(args.modules, 'noop.js'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

async function axeCheck(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result.violations) {
    console.log(`     axe ${v.impact}: ${v.id} — ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }
  check(bad.length === 0, `${what}: axe-core finds no serious or critical violation (${result.violations.length} minor)`);
}

const browser = await chromium.launch({
  executablePath: args.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  // ---------------------------------------------------------------- the page for authors
  const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: args.base });
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.goto(`${args.base}/`);
  check((await page.title()).includes('altscribe'), 'the page loads');

  // Keyboard: Tab reaches the controls in reading order.
  await page.keyboard.press('Tab');
  const order = [];
  for (let i = 0; i < 4; i++) {
    order.push(await page.evaluate(() => document.activeElement.id));
    await page.keyboard.press('Tab');
  }
  check(order.join(',') === 'file,mode,lang,describe', `focus order is file, mode, lang, describe (got ${order.join(',')})`);

  // A PNG → alt text.
  await page.setInputFiles('#file', args.png);
  await page.click('#describe');
  await page.waitForSelector('#result-section:not([hidden])', { timeout: 60000 });
  const alt = await page.inputValue('#result');
  check(alt.trim().length > 0, `alt text appears (${alt.length} characters)`);
  const focused = await page.evaluate(() => document.activeElement.id);
  check(focused === 'result', 'focus moves to the alt text');
  const counter = await page.textContent('#counter');
  check(new RegExp(`^${[...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(alt)].length} / 2000 characters`).test(counter),
    `the counter shows the length against 2000 ("${counter}")`);
  check((await page.getAttribute('#status', 'aria-live')) === 'polite', 'the status is a polite live region');

  // Copy.
  await page.click('#copy');
  await page.waitForFunction(() => document.getElementById('copied').textContent.length > 0);
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  check(clipboard === alt, 'the copy button puts the alt text on the clipboard');
  await page.screenshot({ path: path.join(args.out, 'serve-page.png'), fullPage: true });
  await axeCheck(page, 'page with a result');

  // A non-image → a clear error in an alert region.
  const notes = path.join(os.tmpdir(), `altscribe-notes-${process.pid}.png`);
  writeFileSync(notes, 'These are my notes, not a picture.\n');
  await page.setInputFiles('#file', notes);
  await page.click('#describe');
  await page.waitForSelector('#error:not([hidden])', { timeout: 30000 });
  const error = await page.textContent('#error');
  check(/not an image: looks like text/.test(error), `a non-image shows the error ("${error}")`);
  check((await page.getAttribute('#error', 'role')) === 'alert', 'the error is announced (role=alert)');
  await axeCheck(page, 'page with an error');
  check(dialogs.length === 0, 'no dialog appeared on the page');
  check(consoleErrors.filter((e) => !/status of 415/.test(e)).length === 0,
    `no console errors besides the 415 (${consoleErrors.join(' | ')})`);
  await context.close();

  // ---------------------------------------------------------------- /d/<id>
  // CSP is bypassed here on purpose: escaping alone must keep the injections inert.
  const dctx = await browser.newContext({ bypassCSP: true });
  const dpage = await dctx.newPage();
  const ddialogs = [];
  dpage.on('dialog', async (d) => { ddialogs.push(d.message()); await d.dismiss(); });
  const response = await dpage.goto(`${args.base}/d/${args.description}`);
  check(response.status() === 200, '/d/<id> answers 200');
  await dpage.waitForTimeout(500); // give any injected handler a chance to fire
  const counts = await dpage.evaluate(() => ({
    script: document.querySelectorAll('script').length,
    img: document.querySelectorAll('img').length,
    svg: document.querySelectorAll('svg').length,
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
  }));
  check(counts.script === 0 && counts.img === 0 && counts.svg === 0 && counts.handlers === 0,
    `no injected element or handler (${JSON.stringify(counts)})`);
  const text = await dpage.evaluate(() => document.body.innerText);
  check(text.includes('<script>alert(1)</script>'), 'the <script> text is shown as text');
  check(text.includes('"><img src=x onerror=alert(2)>'), 'the onerror text is shown as text');
  check(text.includes("'><svg onload=alert(3)> & friends."), 'the svg text is shown as text');
  check(ddialogs.length === 0, 'no dialog appeared on /d/<id>');
  await axeCheck(dpage, '/d/<id>');
  const missing = await dpage.goto(`${args.base}/d/AAAAAAAAAAAAAAAAAAAAAA`);
  check(missing.status() === 404, 'an unknown id is 404');
  await dctx.close();
} finally {
  await browser.close();
}
if (failures) {
  console.error(`${failures} browser check(s) failed`);
  process.exit(1);
}
console.log('all browser checks passed');
