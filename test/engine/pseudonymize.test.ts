/**
 * Pseudonymisation at import (trust.md section 4, P1-P3), on both engines:
 * a synthetic export full of personal data (test/fixtures/privacy) is
 * imported with a key, every bundled model and the audit run, and then every
 * table and view in the database is read back whole and searched for each
 * raw identifier: none may be left. The pseudonyms are checked against
 * Node's own HMAC, another key gives other pseudonyms, the same key the same,
 * and the credits equal those of a plain import (HMAC is one-to-one on ids).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import type { Database, Row } from '../../common/db.ts';
import { Engine } from '../../common/engine.ts';
import { DATA_DRIVEN_MODELS, RULE_BASED_MODELS } from '../../common/pipeline.ts';
import { keyId, pseudonymOf, toHex } from '../../common/pseudonym.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { memorySource } from '../helpers.ts';
import { PII_DEVICES, PII_EMAILS, PII_FIXTURE, piiNeedles } from '../privacyFixture.ts';

const bytes = readFileSync(PII_FIXTURE);
const emails = PII_EMAILS;
const devices = PII_DEVICES;
const needles = piiNeedles(true);

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const KEY2 = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const hmac = (key: Uint8Array, v: string) => createHmac('sha256', key).update(v).digest('hex');

const rules = loadRules();
const lib = loadModelLibrary();
const models = [...RULE_BASED_MODELS, ...DATA_DRIVEN_MODELS];

async function run(openDb: () => Promise<Database>, key?: Uint8Array) {
  const engine = new Engine(await openDb(), lib);
  const report = await engine.openFile(memorySource('pii_events.csv', bytes), { ...(key ? { pseudonymize: { key: toHex(key) } } : {}), keepColumns: ['email', 'utm_content', 'ip'] });
  const out = await engine.run({ models, rules, params: {}, audit: true });
  return { engine, report, out };
}

/** Every table and view of every schema (temporary ones too), each read whole. */
async function dumpAll(db: Database): Promise<Map<string, Row[]>> {
  const names = await db.all(`SELECT database_name AS d, schema_name AS s, table_name AS t FROM duckdb_tables()
    UNION ALL SELECT database_name, schema_name, view_name FROM duckdb_views() WHERE NOT internal`);
  const out = new Map<string, Row[]>();
  for (const n of names) {
    const q = `"${n.d}"."${n.s}"."${n.t}"`;
    try {
      out.set(q, await db.all(`SELECT * FROM ${q}`));
    } catch {
      // a view over a table that is gone holds nothing
    }
  }
  return out;
}

function suite(name: string, openDb: () => Promise<Database>) {
  describe(`pseudonymisation (${name})`, () => {
    it('leaves no raw identifier in any table or view; the pseudonyms are the HMAC of the ids', async () => {
      const { engine, report } = await run(openDb, KEY);
      const db = engine.db;
      const tables = await dumpAll(db);
      assert.ok(tables.size > 20, `only ${tables.size} tables read`);
      assert.ok(!tables.has('"temp"."main"."__pkey"'), 'the key table is dropped after the import');
      const hits: string[] = [];
      for (const [t, rows] of tables) {
        const text = JSON.stringify(rows).toLowerCase();
        for (const n of needles) if (text.includes(n.toLowerCase())) hits.push(`${t}: ${n}`);
      }
      assert.deepEqual(hits, []);
      // P2: what is there is the keyed hash (e-mails lower-cased first), and the run used it
      const users = new Set((await db.all('SELECT DISTINCT user_id FROM events WHERE user_id IS NOT NULL')).map((r) => r.user_id));
      assert.deepEqual(users, new Set(emails.filter((e) => !/grace|heidi|ivan/.test(e)).map((e) => hmac(KEY, e.toLowerCase()))));
      const anons = new Set((await db.all('SELECT DISTINCT anon_id FROM events')).map((r) => r.anon_id));
      assert.deepEqual(anons, new Set(devices.filter((d) => !/grace|heidi|ivan/.test(d)).map((d) => hmac(KEY, d))));
      // kept columns: an e-mail column is an identifier, an IP column too; an e-mail in utm_content is hashed
      const extras = await db.all(`SELECT email, ip, utm_content FROM event_extras WHERE _row = 2`);
      assert.deepEqual(extras[0], { email: hmac(KEY, 'alice.martin@example.com'), ip: hmac(KEY, '2001:db8::1'), utm_content: hmac(KEY, 'alice.martin@example.com') });
      // an e-mail inside a URL is cut out, the rest of the URL kept
      const url = await db.all(`SELECT page_url FROM events WHERE event_id = 'e2'`);
      assert.equal(url[0].page_url, 'https://shop.example/?utm_source=newsletter&email=[email]');
      assert.equal(report.pseudonymized?.keyId, await keyId(KEY));
      // the UI's pseudonymOf (finding a person by a typed id) gives what the SQL gave
      assert.ok(users.has(await pseudonymOf(KEY, '  Alice.Martin@EXAMPLE.com ')));
      assert.ok(anons.has(await pseudonymOf(KEY, devices[0])));
      assert.deepEqual(report.pseudonymized?.fields, ['user_id (user_id)', 'anon_id (anonymous_id)']);
      await engine.close();
    });

    it('rejected rows keep their reason and line, with identifiers hashed and IP addresses cut out', async () => {
      const { engine, report } = await run(openDb, KEY);
      assert.deepEqual(report.rejectsByReason, { invalid_revenue: 1, invalid_timestamp: 1, ragged_row: 1 });
      const db = engine.db;
      const rejects = await db.all('SELECT reason, line, raw FROM rejects ORDER BY line');
      const g = hmac(KEY, 'grace.h@example.com');
      assert.deepEqual(rejects, [
        { reason: 'invalid_timestamp', line: 44, raw: `e43,not a time,page_view,${g},${hmac(KEY, 'dev-grace-1')},${g},${hmac(KEY, '198.51.100.23')},google,cpc,x,,https://shop.example/,` },
        { reason: 'invalid_revenue', line: 45, raw: `e44,2024-03-05T10:00:00Z,purchase,${hmac(KEY, 'heidi@example.com')},${hmac(KEY, 'dev-heidi-1')},${hmac(KEY, 'heidi@example.com')},${hmac(KEY, '198.51.100.24')},,,,,https://shop.example/checkout,"12,50 EUR"`.replace('"12,50 EUR"', '12,50 EUR') },
        { reason: 'ragged_row', line: 46, raw: '(withheld: pseudonymised import)' },
      ]);
      await engine.close();
    });

    it('another key gives other pseudonyms, the same key the same; credits equal a plain import', async () => {
      const a = await run(openDb, KEY);
      const b = await run(openDb, KEY);
      const c = await run(openDb, KEY2);
      const plain = await run(openDb);
      const ids = async (e: Engine) => (await e.db.all('SELECT event_id, user_id, anon_id FROM events ORDER BY event_id'));
      const [ia, ib, ic, ip] = await Promise.all([ids(a.engine), ids(b.engine), ids(c.engine), ids(plain.engine)]);
      assert.deepEqual(ia, ib);
      assert.equal(ia.length, ip.length);
      for (let i = 0; i < ia.length; i++) {
        if (ip[i].user_id !== null) assert.notEqual(ia[i].user_id, ic[i].user_id);
        assert.notEqual(ia[i].anon_id, ic[i].anon_id);
      }
      assert.notEqual(a.report.pseudonymized?.keyId, c.report.pseudonymized?.keyId);
      const totals = (o: typeof a.out) => o.channel_summary.map((r) => `${r.model}|${r.channel}|${Number(r.attributed_conversions).toFixed(9)}|${Number(r.attributed_revenue).toFixed(6)}`).sort();
      assert.ok(a.out.channel_summary.length > 10);
      assert.deepEqual(totals(a.out), totals(plain.out));
      assert.deepEqual(totals(c.out), totals(plain.out));
      for (const x of [a, b, c, plain]) await x.engine.close();
    });

    it('refuses a malformed key with one line and keeps nothing', async () => {
      const engine = new Engine(await openDb(), lib);
      await assert.rejects(engine.openFile(memorySource('pii_events.csv', bytes), { pseudonymize: { key: 'abcd' } }), /32 to 64 bytes/);
      await engine.close();
    });
  });
}

suite('native', () => openNativeDatabase());
suite('wasm', () => openWasmDatabaseInNode());
