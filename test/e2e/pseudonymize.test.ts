/**
 * Pseudonymisation in web mode, end to end (trust.md section 4.2, P1, P2, P5's
 * spirit): on the demo notebook, "Pseudonymise ids" makes a key (its key file
 * is offered as a download), then the privacy fixture is chosen for the data
 * cell and everything reruns. Afterwards no raw identifier of the fixture is
 * in the page, the engine's events or rejects, the saved notebook, a CSV
 * export, or anywhere in the browser's profile folder (IndexedDB, Local
 * Storage, caches), and the key itself is in none of them either; the
 * pseudonyms are the HMAC of the ids under the downloaded key.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApp, skipReason, type App } from './harness.ts';
import { command, lastRun, query, settled, settledAfter, withFallbackPickers } from './page.ts';
import { parseKeyFile } from '../../common/pseudonym.ts';
import { PII_EMAILS, PII_FIXTURE, piiNeedles } from '../privacyFixture.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = PII_FIXTURE;
const emails = PII_EMAILS;
// whole addresses only: a bare local part ("frank") also occurs in the bundled libraries' code in the HTTP cache
const needles = piiNeedles(false);

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The needles found in `bytes`, as UTF-8 or UTF-16 (Chromium stores some strings as UTF-16), any case. */
function found(bytes: Buffer, words: string[]): string[] {
  const a = bytes.toString('latin1').toLowerCase();
  const u16 = bytes.toString('utf16le').toLowerCase();
  const u16b = bytes.subarray(1).toString('utf16le').toLowerCase();
  return words.filter((w) => [a, u16, u16b].some((t) => t.includes(w.toLowerCase())));
}

describe('pseudonymisation in web mode', { skip: skipReason }, () => {
  let app: App;
  before(async () => {
    app = await openApp();
    await withFallbackPickers(app.page);
    await settled(app.page, 7);
  });
  after(async () => {
    await app?.close();
  });

  it('no raw id reaches the page, the engine, the notebook, an export or the browser profile', async () => {
    const { page } = app;
    const data = page.locator('[data-kind=data]');
    // 1. pseudonymise first, so the raw ids never reach the engine at all
    let run = await lastRun(page);
    const [keyDl] = await Promise.all([page.waitForEvent('download'), data.locator('button', { hasText: 'Pseudonymise ids' }).click()]);
    assert.match(keyDl.suggestedFilename(), /^attrib-[0-9a-f]{16}\.key$/);
    const key = parseKeyFile(readFileSync((await keyDl.path())!, 'utf8'));
    const keyHex = Buffer.from(key).toString('hex');
    const keyId = /attrib-([0-9a-f]{16})\.key/.exec(keyDl.suggestedFilename())![1];
    await settledAfter(page, run, 7);
    await data.locator('.note', { hasText: `key ${keyId}` }).first().waitFor();
    // 2. the fixture full of personal data
    run = await lastRun(page);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), data.locator('button', { hasText: 'Choose another file' }).click()]);
    await chooser.setFiles(FIXTURE);
    await settledAfter(page, run, 5);
    await data.locator('dd', { hasText: 'user_id, anon_id, e-mails hashed' }).first().waitFor();
    await data.locator('.kv').first().screenshot({ path: path.join(repo, 'test/artifacts/screenshots/privacy-data-cell.png') });

    // P2: the engine holds the keyed hashes (e-mails lower-cased), so the import really used the key
    const hmac = (v: string) => createHmac('sha256', Buffer.from(key)).update(v).digest('hex');
    const users = (await query(page, 'SELECT DISTINCT user_id FROM events WHERE user_id IS NOT NULL ORDER BY 1')).map((r) => r.user_id);
    assert.deepEqual(users, [...new Set(emails.filter((e) => !/grace|heidi|ivan/.test(e)).map((e) => hmac(e.toLowerCase())))].sort());
    const rejects = await query(page, 'SELECT reason, raw FROM rejects ORDER BY line');
    assert.deepEqual(rejects.map((r) => r.reason), ['invalid_timestamp', 'invalid_revenue', 'ragged_row']);
    assert.ok(String(rejects[0].raw).includes(hmac('grace.h@example.com')));
    const all = await query(page, `SELECT string_agg(CAST(e AS VARCHAR), '|') AS t FROM (SELECT e FROM events e UNION ALL SELECT r FROM rejects r)`);
    assert.deepEqual(found(Buffer.from(String(all[0].t)), needles), []);

    // the rejects shown in a grid, as a user opens them
    run = await lastRun(page);
    await data.locator('button', { hasText: 'Show rejects' }).click();
    await settledAfter(page, run);
    // the grid's rows are fetched once the runs are quiet: wait for them, not for the run alone
    await page.waitForFunction((p) => document.body.innerText.includes(p), hmac('grace.h@example.com').slice(0, 12), { timeout: 30_000 }).catch(() => undefined);
    const shown0 = await page.evaluate(() => document.body.innerText + Array.from(document.querySelectorAll('input, textarea')).map((i) => (i as HTMLInputElement).value).join('\n'));
    assert.ok(shown0.includes(hmac('grace.h@example.com').slice(0, 12)), 'the rejects grid shows the pseudonym');
    assert.deepEqual(found(Buffer.from(shown0), [...needles, keyHex]), [], 'the page shows no raw id and not the key');
    await page.screenshot({ path: path.join(repo, 'test/artifacts/screenshots/privacy-pseudonymised.png') });

    // the journey inspector finds a person by the raw e-mail typed (looked up by its pseudonym)
    await command(page, 'journey.inspect');
    const input = page.locator('.inspector .insp-search');
    await input.fill(' Alice.Martin@Example.com');
    await input.press('Enter');
    await page.locator('.inspector .insp-list', { hasText: 'matched on user_id (by its pseudonym)' }).waitFor({ timeout: 30_000 });
    assert.ok(await page.locator('.inspector .insp-match-id', { hasText: hmac('alice.martin@example.com') }).count() >= 1);
    await page.keyboard.press('Escape');
    await page.locator('.inspector').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);

    // the saved notebook records the key id, never the key or an id
    const [nbDl] = await Promise.all([page.waitForEvent('download'), command(page, 'notebook.save')]);
    const nb = readFileSync((await nbDl.path())!, 'utf8');
    assert.match(nb, new RegExp(`"pseudonymize": \\{\\s*"keyId": "${keyId}"\\s*\\}`));
    assert.deepEqual(found(Buffer.from(nb), [...needles, keyHex]), []);
    // a CSV export of the rejects
    const rejectsCell = page.locator('[data-kind=sql]', { has: page.locator('.cell-name[value="rejected_rows"]') });
    const rid = await page.evaluate(() => Array.from(document.querySelectorAll('[data-kind=sql]')).find((c) => (c.querySelector('.cell-name') as HTMLInputElement)?.value === 'rejected_rows')?.getAttribute('data-cell-id'));
    assert.ok(rid && rejectsCell);
    await page.evaluate((c) => (globalThis as unknown as { __workbench: { select(id: string): void } }).__workbench.select(c!), rid);
    const [csvDl] = await Promise.all([page.waitForEvent('download'), command(page, 'export.csv')]);
    const csv = readFileSync((await csvDl.path())!, 'utf8');
    assert.ok(csv.includes(hmac('heidi@example.com')), 'the export has the rejects, pseudonymised');
    assert.deepEqual(found(Buffer.from(csv), [...needles, keyHex]), []);
    app.assertClean();

    // P1: the browser's own storage, after it has flushed and closed: IndexedDB, Local Storage, caches...
    const profile = app.profile;
    await app.context.close();
    const hits: string[] = [];
    let n = 0;
    let recovery = 0;
    for (const f of files(profile)) {
      if (statSync(f).size > 64 * 1024 * 1024) continue;
      n++;
      const bytes = readFileSync(f);
      for (const w of found(bytes, [...needles, keyHex])) hits.push(`${path.relative(profile, f)}: ${w}`);
      recovery += found(bytes, [`"keyId": "${keyId}"`]).length;
    }
    // the search does read what the page stored: the notebook's recovery copy (IndexedDB) is found by its key id
    assert.ok(n > 10 && recovery > 0, `the profile has files (${n}) and the recovery copy (${recovery})`);
    assert.deepEqual(hits, []);
  });
});
