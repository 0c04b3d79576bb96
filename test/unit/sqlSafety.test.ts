/**
 * trust.md section 5.3, the part decided before any SQL runs: model
 * parameters are range- and type-checked (attacks 1-3), `$name` binding
 * never re-reads values (9), rule files and column names are data with
 * whitelists (4-6), a notebook's saved parameters meet the same checks (8),
 * and the user-SQL guard refuses what passes DuckDB's configuration lock.
 * The engine side (binding, the lock-down itself) is test/engine/sqlSafety.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bindNamed, resolveParams } from '../../common/modelHeader.ts';
import { validateRun } from '../../common/pipeline.ts';
import { compileRules, validateRules, type RuleSet } from '../../common/rules.ts';
import { parseMapOption, resolveMapping } from '../../common/import/columns.ts';
import { parseNotebook } from '../../common/notebook/format.ts';
import { checkUserSql } from '../../common/sqlGuard.ts';
import { AttribError } from '../../common/errors.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';

const lib = loadModelLibrary();
const spec = (model: string) => lib.get(model)!;

/** Asserts a bad_parameter AttribError whose message names `name`. */
function refused(f: () => unknown, name: string, what = ''): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof AttribError, `${what}: ${String(e)}`);
    assert.equal(e.code, 'bad_parameter', what);
    assert.ok(e.message.includes(name), `${what}: the message names ${name}: ${e.message}`);
    return true;
  });
}

describe('model parameters are validated before SQL (trust.md 5.3, 1-3)', () => {
  const lookback = (v: unknown) => resolveParams(spec('conversions').params, { lookback_days: v }, [], 'conversions');
  const halfLife = (v: unknown) => resolveParams(spec('time_decay').params, { half_life_days: v }, [], 'time_decay');

  it('lookback days: injection text, out-of-range, non-finite and non-decimal values are refused, naming the parameter', () => {
    const attacks: unknown[] = [
      '30; DROP TABLE events; --', '30 OR 1=1', '30) UNION SELECT 1 --', '1e309', -1, '-1', 0, '0', NaN, 'NaN', Infinity, 'Infinity', '-Infinity',
      2147483648, '', 'null', '0x1E', '0b11', '0o36', '３０', '30abc', '30 days', [], {}, true, '1e-300', 1e300,
    ];
    for (const a of attacks) refused(() => lookback(a), 'lookback_days', `lookback_days=${JSON.stringify(a)}`);
  });

  it('lookback days: plain decimals bind as numbers (surrounding spaces trimmed, 30.5 is a double); null means the default', () => {
    assert.equal(lookback(' 30 ').lookback_days, 30);
    assert.equal(lookback('30').lookback_days, 30);
    assert.equal(lookback(30.5).lookback_days, 30.5);
    assert.equal(lookback('3e1').lookback_days, 30);
    assert.equal(lookback(null).lookback_days, 30, 'null is "not set": the header default');
  });

  it('integer parameters: 30.5, 2147483648 and unicode digits are refused with a message naming the parameter', () => {
    const order = (v: unknown) => resolveParams(spec('paths').params, { markov_order: v }, [], 'paths');
    refused(() => order(1.5), 'markov_order', '1.5');
    refused(() => order('2.5'), 'markov_order', "'2.5'");
    refused(() => order('２'), 'markov_order', 'fullwidth 2');
    assert.equal(order('2').markov_order, 2);
    const repeats = (v: unknown) => resolveParams(spec('touches').params, { fraud_max_repeats: v }, [], 'touches');
    refused(() => repeats(2147483648), 'fraud_max_repeats', '2^31');
    refused(() => repeats(30.5), 'fraud_max_repeats', '30.5');
    // a header without a max: the message states the one bound and the INTEGER limit still holds
    const open = [{ name: 'n', type: 'integer' as const, default: 1, min: 0 }];
    assert.throws(() => resolveParams(open, { n: -1 }), /n must be at least 0, got -1/);
    assert.throws(() => resolveParams(open, { n: 2147483648 }), /n must be at most 2147483647 in size/);
  });

  it('half-life: 0, negative, NaN, 1e-300 and 1e300 never reach SQL (they would give weights of 0, >1 or NaN)', () => {
    for (const a of [0, -7, '-7', NaN, 'NaN', 1e-300, '1e-300', 1e300, '1e300', Infinity]) refused(() => halfLife(a), 'half_life_days', `half_life_days=${String(a)}`);
    assert.equal(halfLife('7').half_life_days, 7);
  });

  it('booleans are true or false (not any text), strings any text (bound, never pasted)', () => {
    const lt = (v: unknown) => resolveParams(spec('last_touch').params, { click_proof: v }, [], 'last_touch');
    assert.equal(lt('true').click_proof, true);
    assert.equal(lt(false).click_proof, false);
    for (const a of ['yes', '1', 1, "true' OR '1'='1"]) refused(() => lt(a), 'click_proof', String(a));
    const cmp = resolveParams(spec('compare').params, { baseline: "last_touch'; DROP TABLE credits; --" });
    assert.equal(cmp.baseline, "last_touch'; DROP TABLE credits; --", 'a string parameter is kept as data for binding');
    refused(() => resolveParams(spec('compare').params, { baseline: { toString: () => 'x' } }), 'baseline');
  });

  it('validateRun (what Engine.run calls first) refuses the attacks in params and in per-model params', () => {
    const rules = loadRules();
    assert.throws(() => validateRun(lib, { models: ['linear'], rules, params: { lookback_days: '30; DROP TABLE events; --' } }), /lookback_days must be a number/);
    assert.throws(() => validateRun(lib, { models: ['time_decay'], rules, params: {}, modelParams: { time_decay: { half_life_days: 0 } } }), /half_life_days must be between 0.01 and 365/);
    assert.throws(() => validateRun(lib, { models: ['custom'], rules, params: { first_weight: '0x1', middle_weight: 0, last_weight: 0 } }), /first_weight must be a number/);
  });
});

describe('bindNamed: values are bound, never re-read (trust.md 5.3, 9)', () => {
  it('template-looking values stay values; the SQL only gains $1, $2', () => {
    const values = { a: '{{ var("x") }}', b: '${process.env.HOME}', c: '$1', d: '$a', e: "{% raw %}'; DROP TABLE t; --" };
    const r = bindNamed('SELECT $a AS a, $b AS b, $c AS c, $d AS d, $e AS e, $a AS again', values);
    assert.equal(r.sql, 'SELECT $1 AS a, $2 AS b, $3 AS c, $4 AS d, $5 AS e, $1 AS again');
    assert.deepEqual(r.params, [values.a, values.b, values.c, values.d, values.e]);
  });

  it('$name inside string literals, quoted identifiers and comments is left alone', () => {
    const r = bindNamed(`SELECT '$a' AS "$a", $a -- $a\nFROM t /* $b */ WHERE x = $$ $b $$ OR y = $q$ it's $a $q$`, { a: 1 });
    assert.equal(r.sql, `SELECT '$a' AS "$a", $1 -- $a\nFROM t /* $b */ WHERE x = $$ $b $$ OR y = $q$ it's $a $q$`);
    assert.deepEqual(r.params, [1]);
  });

  it('a $name with no value is an error, not an empty paste', () => {
    assert.throws(() => bindNamed('SELECT $missing', {}), /\$missing, which has no value/);
  });
});

describe('rule files are data (trust.md 5.3, 4 and 6)', () => {
  const set = (cond: Record<string, unknown>): unknown => ({ format: 'attribution-channel-rules/1', rules: [{ id: 'r', channel: 'x', all: [cond] }] });

  it('a field outside the whitelist is refused, whatever SQL it holds', () => {
    for (const field of ['1; COPY events TO \'x.csv\'', "(SELECT count(*) FROM read_csv('/etc/passwd'))", "read_text('~/.ssh/id_rsa')", "getvariable('secret')", 'utm_source OR 1=1', 'e.utm_source', 'UTM_SOURCE']) {
      assert.throws(() => validateRules(set({ field, op: 'equals', values: ['a'] })), /unknown field/, field);
    }
  });

  it('a NUL byte in a value compiles as chr(0): it would otherwise cut the SQL text short (DuckDB reads a C string)', () => {
    const c = compileRules(validateRules(set({ field: 'utm_source', op: 'equals', values: ["a\0'b"] })));
    assert.ok(c.channel.includes("('a' || chr(0) || '''b')"), c.channel);
    assert.ok(!c.channel.includes('\0'));
  });

  it('an invalid regex, and lookaround or backreferences RE2 lacks, are refused naming the rule', () => {
    assert.throws(() => validateRules(set({ field: 'utm_source', op: 'regex', values: ['(a'] })), /rule 1 \(r\): bad regex/);
    for (const re of ['(?=a)', 'a(?!b)', '(?<=x)y', '(a)\\1', '(?<n>a)\\k<n>']) {
      assert.throws(() => validateRules(set({ field: 'utm_source', op: 'regex', values: [re] })), /RE2/, re);
    }
    validateRules(set({ field: 'utm_source', op: 'regex', values: ['(a+)+$', '\\\\1', '^go+gle\\.'] }));
  });

  it('a notebook-style channel id or fallback holding SQL is refused', () => {
    assert.throws(() => validateRules({ format: 'attribution-channel-rules/1', rules: [{ id: 'r', channel: "x' OR '1'='1", all: [{ field: 'utm_source', op: 'present' }] }] }), /channel/);
    assert.throws(() => validateRules({ format: 'attribution-channel-rules/1', fallback: 'direct; DROP TABLE x', rules: [] }), /fallback/);
  });
});

describe('column mapping takes only names from the header (trust.md 5.3, 5)', () => {
  const header = ['event_ts', 'user_id', 'utm_source"; DROP TABLE x; --', 'a.b', 'naïve ünïcödé', 'with space', "it's"];

  it('an override naming a column not in the header is refused with the header listed', () => {
    for (const name of ['x" , (SELECT 1) AS "b', 'utm_source"; DROP TABLE events; --', '*', 'event_ts; --']) {
      assert.throws(() => resolveMapping(header, { overrides: { utm_source: name }, file: 'f.csv' }), (e: unknown) => e instanceof AttribError && e.code === 'file_missing_column' && e.message.includes('the file has no column'), name);
    }
  });

  it('header names with quotes, dots, unicode and spaces map as they are (the importer quotes them with ident)', () => {
    for (const name of header.slice(2)) {
      const m = resolveMapping(header, { overrides: parseMapOption([`utm_source=${name}`]) });
      assert.equal(m.mapping.utm_source, name);
    }
  });

  it('--map refuses a target field that is not canonical', () => {
    assert.throws(() => parseMapOption(['"utm_source"=x']), /expected field=column/);
    assert.throws(() => parseMapOption(['utm_source; DROP TABLE x=y']), /expected field=column/);
  });
});

describe("a notebook's saved parameters meet the same checks on load and run (trust.md 5.3, 8)", () => {
  const nb = (...body: string[]) => ['---', 'format: attribution-notebook/1', 'title: T', '---', '', ...body, ''].join('\n');

  it('model params with attack strings parse as data, then the run refuses them before any SQL', () => {
    const text = nb('```model id=m', '{', '  "name": "run",', '  "models": ["time_decay"],', '  "params": {"lookback_days": "30; DROP TABLE events; --", "half_life_days": "NaN"}', '}', '```');
    const { notebook } = parseNotebook(text, 'shared.attrib.md');
    const cell = notebook.cells.find((c) => c.kind === 'model');
    assert.ok(cell && cell.kind === 'model');
    assert.throws(() => validateRun(lib, { models: cell.models, params: cell.params, rules: loadRules() }), /lookback_days must be a number, got '30; DROP TABLE events; --'/);
    assert.throws(() => validateRun(lib, { models: cell.models, params: { ...cell.params, lookback_days: 30 }, rules: loadRules() }), /half_life_days must be a number, got 'NaN'/);
  });

  it('a number or slider param cell holding text, and a non-finite saved number, are refused at parse', () => {
    const param = (value: string) => nb('```param id=p', '{', '  "name": "lookback",', '  "control": "number",', `  "value": ${value}`, '}', '```');
    assert.throws(() => parseNotebook(param('"30; DROP TABLE events; --"'), 'p.attrib.md'), /value/);
    assert.throws(() => parseNotebook(param('1e309'), 'p.attrib.md'), /value/);
    const text = nb('```model id=m', '{', '  "name": "run",', '  "models": ["linear"],', '  "params": {"lookback_days": 1e309}', '}', '```');
    assert.throws(() => parseNotebook(text, 'm.attrib.md'), /must be a number, a string or true\/false/);
  });

  it('saved rules with a field outside the whitelist are refused at parse', () => {
    const rules: RuleSet = { format: 'attribution-channel-rules/1', rules: [{ id: 'r', channel: 'x', all: [{ field: "read_text('/etc/passwd')" as never, op: 'present' }] }] };
    const text = nb('```model id=m', JSON.stringify({ name: 'run', models: ['linear'], params: {}, rules }, null, 2), '```');
    assert.throws(() => parseNotebook(text, 'r.attrib.md'), /unknown field/);
  });
});

describe('the user-SQL guard (functions DuckDB lets past its configuration lock)', () => {
  it('refuses enable_logging, enable_profiling, query() and json_execute_serialized_sql in any spelling', () => {
    for (const sql of [
      "CALL enable_logging(storage='file', storage_path='/tmp/x')",
      "CALL \"ENABLE_LOGGING\"(storage='file')",
      'FROM system.main.enable_logging()',
      "CALL enable_profiling(save_location='/tmp/p.txt')",
      'PRAGMA enable_profile',
      "FROM query('FROM enable_' || 'logging()')",
      "SELECT * FROM query /* x */ ('SELECT 1')",
      "SELECT * FROM \"query\"\n('SELECT 1')",
      "FROM query--x\n('SELECT 1')",
      "SELECT * FROM json_execute_serialized_sql('{}')",
    ]) {
      assert.throws(() => checkUserSql(sql), (e: unknown) => e instanceof AttribError && e.code === 'bad_parameter' && /refused/.test(e.message), sql);
    }
  });

  it('lets ordinary SQL-cell work through, a column named query included', () => {
    for (const sql of ['SELECT channel, sum(credit) FROM credits GROUP BY 1', 'SELECT query, search_query FROM events', 'SELECT query_table FROM t', "SET VARIABLE x = 'logging'", 'CREATE TEMP VIEW v AS SELECT 1']) {
      checkUserSql(sql);
    }
  });
});
