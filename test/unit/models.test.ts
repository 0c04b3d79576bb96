/** Model headers, parameter checks and binding: every bundled model describes itself. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseModel, resolveParams, bindNamed } from '../../common/modelHeader.ts';
import { AttribError } from '../../common/errors.ts';
import { loadModelLibrary } from '../../worker/node/library.ts';
import { RULE_BASED_MODELS, splitStatements } from '../../common/pipeline.ts';

describe('model headers', () => {
  it('parses name, version, kind, typed params with ranges, checks and outputs', () => {
    const m = parseModel(`-- name: demo\n-- version: 2\n-- kind: credit\n-- description: a demo\n-- param half_life_days: double = 7, min 0.01, max 365, unit days\n-- param n: integer = 3, min 1, max 5, how many\n-- check: a + b = 1\n-- output: credits(x)\nSELECT $half_life_days`);
    assert.equal(m.name, 'demo');
    assert.equal(m.version, 2);
    assert.deepEqual(m.params, [
      { name: 'half_life_days', type: 'double', default: 7, min: 0.01, max: 365, unit: 'days' },
      { name: 'n', type: 'integer', default: 3, min: 1, max: 5, doc: 'how many' },
    ]);
    assert.deepEqual(m.checks, ['a + b = 1']);
    assert.equal(m.sql.trim(), 'SELECT $half_life_days');
  });
  it('refuses a bad header line with its line number', () => {
    assert.throws(() => parseModel('-- name: x\n-- version: 1\n-- kind: credit\n-- param oops'), (e: AttribError) => e.code === 'bad_model_header' && e.where.line === 4);
    assert.throws(() => parseModel('-- name: x\nSELECT 1'), (e: AttribError) => e.code === 'bad_model_header');
  });
  it('every rule-based model of the spec is bundled, versioned, and its defaults pass its own checks', () => {
    const lib = loadModelLibrary();
    for (const name of [...RULE_BASED_MODELS, 'staging', 'identity', 'touches', 'conversions']) {
      const m = lib.get(name);
      assert.ok(m, `${name} is bundled`);
      assert.ok(m.version >= 1 && m.description.length > 10, `${name} describes itself`);
      resolveParams(m.params, {}, m.checks, name);
    }
  });
});

describe('parameters', () => {
  const lib = loadModelLibrary();
  it('range-checks with a message that names the range', () => {
    const td = lib.get('time_decay')!;
    assert.throws(() => resolveParams(td.params, { half_life_days: 0 }, [], 'time_decay'), /time_decay: half_life_days must be between 0.01 and 365 days, got 0/);
    assert.throws(() => resolveParams(td.params, { half_life_days: 'abc' }), /must be a number/);
    assert.deepEqual(resolveParams(td.params, { half_life_days: '3.5' }), { half_life_days: 3.5 });
    const conv = lib.get('conversions')!;
    assert.throws(() => resolveParams(conv.params, { lookback_days: 366 }), /lookback_days must be between 1 and 365/);
    assert.throws(() => resolveParams(conv.params, { lookback_days: 0 }), /between 1 and 365/);
  });
  it('weights must sum to 1', () => {
    const c = lib.get('custom')!;
    assert.throws(() => resolveParams(c.params, { first_weight: 0.5, middle_weight: 0.5, last_weight: 0.5 }, c.checks, 'custom'), /custom: first_weight \+ middle_weight \+ last_weight must sum to 1, got 1.5/);
    assert.deepEqual(resolveParams(c.params, { first_weight: 0.5, middle_weight: 0, last_weight: 0.5 }, c.checks), { first_weight: 0.5, middle_weight: 0, last_weight: 0.5 });
  });
  it('binds $names positionally, never pasting values, and skips strings and comments', () => {
    const b = bindNamed("SELECT $a, '$a', \"$a\", $b, $a -- $c\n", { a: "x'); DROP TABLE t; --", b: 2 });
    assert.equal(b.sql, "SELECT $1, '$a', \"$a\", $2, $1 -- $c\n");
    assert.deepEqual(b.params, ["x'); DROP TABLE t; --", 2]);
    assert.throws(() => bindNamed('SELECT $missing', {}), /has no value/);
  });
  it('splits stage files on statement ends only', () => {
    assert.deepEqual(splitStatements("SELECT ';';\nSELECT 2;\n-- just a comment\n"), ["SELECT ';'", 'SELECT 2']);
  });
});
