/**
 * The notebook file format: a hand-checked file read field by field and
 * written back byte for byte, the one-line errors (file:line: what), newer
 * versions read-only, fences that outgrow their bodies, CRLF input, and
 * generated notebooks full of awkward text that must survive a round trip.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fenceFor, NotebookFormatError, parseNotebook, serializeNotebook } from '../../common/notebook/format.ts';
import type { Cell, DataCell, ModelCell, Notebook } from '../../common/notebook/types.ts';

const FILE = [
  '---',
  'format: attribution-notebook/1',
  'title: Attribution overview',
  '---',
  '',
  '```markdown id=c1',
  '# Intro',
  '',
  'Some *text*.',
  '```',
  '',
  '```sql id=c3 name=top_channels',
  'SELECT channel, sum(attributed_conversions) AS conversions FROM channel_summary WHERE model = $model GROUP BY 1',
  '```',
  '',
  '```chart id=c4',
  '{',
  '  "from": "top_channels",',
  '  "title": "Top channels",',
  '  "builder": {',
  '    "mark": "bar",',
  '    "x": "channel",',
  '    "y": "conversions"',
  '  }',
  '}',
  '```',
  '',
  '```param id=c5',
  '{',
  '  "name": "model",',
  '  "control": "select",',
  '  "value": "linear",',
  '  "options": [',
  '    "first_touch",',
  '    "linear"',
  '  ]',
  '}',
  '```',
  '',
  '```data id=c6',
  '{',
  '  "name": "events",',
  '  "path": "data/events.parquet",',
  '  "fingerprint": {',
  '    "size": 1234,',
  '    "sha256": "' + 'ab'.repeat(32) + '"',
  '  },',
  '  "options": {',
  '    "timezone": "Europe/Paris"',
  '  }',
  '}',
  '```',
  '',
  '```model id=c7',
  '{',
  '  "name": "attribution",',
  '  "models": [',
  '    "linear"',
  '  ],',
  '  "params": {',
  '    "lookback_days": 30',
  '  },',
  '  "compare": "linear"',
  '}',
  '```',
  '',
].join('\n');

/** Throws unless fn throws a NotebookFormatError with exactly this one-line message. */
function throwsExactly(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof NotebookFormatError, `expected a NotebookFormatError, got ${String(e)}`);
    assert.equal(e.message, message);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
}

/** A file with the standard front matter and these body lines. */
const file = (...body: string[]) => ['---', 'format: attribution-notebook/1', 'title: T', '---', ...body, ''].join('\n');

describe('notebook format: reading and writing', () => {
  it('reads every field of a hand-written file and writes it back byte for byte', () => {
    const { notebook, readOnly, warnings } = parseNotebook(FILE, 'demo.attrib.md');
    assert.equal(readOnly, false);
    assert.deepEqual(warnings, []);
    const expected: Notebook = {
      format: 'attribution-notebook/1',
      title: 'Attribution overview',
      cells: [
        { id: 'c1', kind: 'markdown', source: '# Intro\n\nSome *text*.' },
        { id: 'c3', kind: 'sql', name: 'top_channels', source: 'SELECT channel, sum(attributed_conversions) AS conversions FROM channel_summary WHERE model = $model GROUP BY 1' },
        { id: 'c4', kind: 'chart', from: 'top_channels', title: 'Top channels', builder: { mark: 'bar', x: 'channel', y: 'conversions' } },
        { id: 'c5', kind: 'param', name: 'model', control: 'select', value: 'linear', options: ['first_touch', 'linear'] },
        { id: 'c6', kind: 'data', name: 'events', path: 'data/events.parquet', fingerprint: { size: 1234, sha256: 'ab'.repeat(32) }, options: { timezone: 'Europe/Paris' } },
        { id: 'c7', kind: 'model', name: 'attribution', models: ['linear'], params: { lookback_days: 30 }, compare: 'linear' },
      ],
    };
    assert.deepEqual(notebook, expected);
    assert.equal(serializeNotebook(notebook), FILE);
  });

  it('a model cell\'s baseline {model, params, rules} comes after the other keys, in that order, and round-trips', () => {
    const text = file('',
      '```model id=m',
      '{',
      '  "name": "attribution",',
      '  "models": [',
      '    "linear"',
      '  ],',
      '  "params": {',
      '    "lookback_days": "$lookback_days"',
      '  },',
      '  "rules": {',
      '    "format": "attribution-channel-rules/1",',
      '    "rules": [',
      '      {',
      '        "id": "medium_email",',
      '        "channel": "newsletter",',
      '        "any": [',
      '          {',
      '            "field": "utm_medium",',
      '            "op": "in",',
      '            "values": [',
      '              "email"',
      '            ]',
      '          }',
      '        ]',
      '      }',
      '    ]',
      '  },',
      '  "audit": true,',
      '  "baseline": {',
      '    "model": "linear",',
      '    "params": {',
      '      "lookback_days": 30,',
      '      "half_life_days": 7',
      '    },',
      '    "rules": {',
      '      "format": "attribution-channel-rules/1",',
      '      "rules": [',
      '        {',
      '          "id": "medium_email",',
      '          "channel": "email",',
      '          "any": [',
      '            {',
      '              "field": "utm_medium",',
      '              "op": "in",',
      '              "values": [',
      '                "email"',
      '              ]',
      '            }',
      '          ]',
      '        }',
      '      ],',
      '      "fallback": "direct"',
      '    }',
      '  }',
      '}',
      '```');
    const { notebook, warnings } = parseNotebook(text, 'b.attrib.md');
    assert.deepEqual(warnings, []);
    const rule = (channel: string) => ({ id: 'medium_email', channel, any: [{ field: 'utm_medium' as const, op: 'in' as const, values: ['email'] }] });
    const expected: ModelCell = {
      id: 'm', kind: 'model', name: 'attribution', models: ['linear'], params: { lookback_days: '$lookback_days' },
      rules: { format: 'attribution-channel-rules/1', rules: [rule('newsletter')] },
      audit: true,
      baseline: { model: 'linear', params: { lookback_days: 30, half_life_days: 7 }, rules: { format: 'attribution-channel-rules/1', rules: [rule('email')], fallback: 'direct' } },
    };
    assert.deepEqual(notebook.cells, [expected]);
    assert.equal(serializeNotebook(notebook), text);
    // keys in any order (the baseline's and its rules') are written in the canonical one
    const shuffled = { rules: { fallback: 'direct', rules: [{ any: rule('email').any, channel: 'email', id: 'medium_email' }], format: 'attribution-channel-rules/1' }, params: expected.baseline!.params, model: 'linear' };
    assert.equal(serializeNotebook({ format: 'attribution-notebook/1', title: 'T', cells: [{ baseline: shuffled, audit: true, rules: expected.rules, params: expected.params, models: ['linear'], name: 'attribution', kind: 'model', id: 'm' } as Cell] }), text);
    // without a baseline nothing is written for it
    const { baseline: _b, ...plain } = expected;
    assert.ok(!serializeNotebook({ format: 'attribution-notebook/1', title: 'T', cells: [plain as Cell] }).includes('baseline'));
  });

  it('a bad baseline is one line naming the cell and pointing at "baseline"; an unknown key in it is a warning', () => {
    const model = (...baseline: string[]) => file('```model id=m', '{', '  "name": "a",', '  "models": ["linear"],', '  "params": {},', ...baseline, '}', '```');
    const rules = '"rules": {"format": "attribution-channel-rules/1", "rules": []}';
    throwsExactly(() => parseNotebook(model(`  "baseline": {"params": {}, ${rules}}`), 'd.attrib.md'), 'd.attrib.md:10: model cell m: baseline: "model" is required');
    throwsExactly(() => parseNotebook(model(`  "baseline": {"model": "linear", ${rules}}`), 'd.attrib.md'), 'd.attrib.md:10: model cell m: baseline: "params" is required');
    throwsExactly(() => parseNotebook(model('  "baseline": {"model": "linear", "params": {}}'), 'd.attrib.md'), 'd.attrib.md:10: model cell m: baseline: "rules" is required');
    throwsExactly(() => parseNotebook(model(`  "baseline": {"model": 3, "params": {}, ${rules}}`), 'd.attrib.md'), 'd.attrib.md:10: model cell m: baseline: "model" must be a model name');
    throwsExactly(() => parseNotebook(model(`  "baseline": {"model": "linear", "params": {"x": null}, ${rules}}`), 'd.attrib.md'), 'd.attrib.md:10: model cell m: baseline.params.x must be a number, a string or true/false');
    throwsExactly(() => parseNotebook(model(`  "baseline": {"model": "linear", "params": [], ${rules}}`), 'd.attrib.md'), 'd.attrib.md:10: model cell m: baseline: "params" must be an object');
    throwsExactly(
      () => parseNotebook(model('  "baseline": {"model": "linear", "params": {}, "rules": {"format": "x", "rules": []}}'), 'd.attrib.md'),
      "d.attrib.md:10: model cell m: baseline.rules: unknown rule file format 'x' (expected attribution-channel-rules/1)",
    );
    throwsExactly(() => parseNotebook(model('  "baseline": "linear"'), 'd.attrib.md'), 'd.attrib.md:10: model cell m: "baseline" must be an object');
    const { notebook, warnings } = parseNotebook(model(`  "baseline": {"model": "linear", "params": {}, ${rules}, "note": "x"}`), 'd.attrib.md');
    assert.deepEqual(warnings, ["d.attrib.md:5: model cell m baseline: unknown field 'note' is ignored"]);
    assert.deepEqual((notebook.cells[0] as { baseline?: unknown }).baseline, { model: 'linear', params: {}, rules: { format: 'attribution-channel-rules/1', rules: [] } });
  });

  it('writes JSON keys in the documented order whatever order the object has', () => {
    const nb: Notebook = {
      format: 'attribution-notebook/1',
      title: 'T',
      cells: [{ unit: 'days', value: 3, control: 'slider', max: 9, min: 1, name: 'n', id: 'a', kind: 'param' } as Cell],
    };
    assert.equal(
      serializeNotebook(nb),
      file('', '```param id=a', '{', '  "name": "n",', '  "control": "slider",', '  "value": 3,', '  "min": 1,', '  "max": 9,', '  "unit": "days"', '}', '```'),
    );
  });

  it('writes an empty notebook as front matter only, and an empty source as a block without body lines', () => {
    assert.equal(serializeNotebook({ format: 'attribution-notebook/1', title: 'T', cells: [] }), file());
    const nb: Notebook = { format: 'attribution-notebook/1', title: 'T', cells: [{ id: 'a', kind: 'sql', name: 'q', source: '' }, { id: 'b', kind: 'markdown', source: '\n' }] };
    const text = serializeNotebook(nb);
    assert.equal(text, file('', '```sql id=a name=q', '```', '', '```markdown id=b', '', '', '```'));
    assert.deepEqual(parseNotebook(text, 'x').notebook, nb);
  });

  it('lengthens the fence past any run of backticks that opens a body line', () => {
    assert.equal(fenceFor('SELECT 1'), '```');
    assert.equal(fenceFor('a ```` inline is fine'), '```');
    assert.equal(fenceFor('```'), '````');
    assert.equal(fenceFor('x\n   `````py\ny'), '``````');
    assert.equal(fenceFor('    ```` (indented 4: code, not a fence)'), '```');
    const source = '```sql\nSELECT 1\n```\n````';
    const nb: Notebook = { format: 'attribution-notebook/1', title: 'T', cells: [{ id: 'm', kind: 'markdown', source }] };
    const text = serializeNotebook(nb);
    assert.equal(text, file('', '`````markdown id=m', '```sql', 'SELECT 1', '```', '````', '`````'));
    assert.equal(parseNotebook(text, 'x').notebook.cells[0].kind === 'markdown' && (parseNotebook(text, 'x').notebook.cells[0] as { source: string }).source, source);
  });

  it('reads CRLF and CR line ends and a BOM as LF, and writes LF', () => {
    const crlf = '\uFEFF' + FILE.replace(/\n/g, '\r\n');
    const { notebook } = parseNotebook(crlf, 'demo.attrib.md');
    assert.deepEqual(notebook, parseNotebook(FILE, 'demo.attrib.md').notebook);
    assert.equal(serializeNotebook(notebook), FILE);
    assert.deepEqual(parseNotebook(FILE.replace(/\n/g, '\r'), 'x').notebook, notebook);
    // A CR inside a source is written as a line end too: files have one kind.
    const nb: Notebook = { format: 'attribution-notebook/1', title: 'T', cells: [{ id: 'a', kind: 'markdown', source: 'a\r\nb\rc' }] };
    assert.equal(serializeNotebook(nb), file('', '```markdown id=a', 'a', 'b', 'c', '```'));
  });

  it('quotes titles that would not read back plainly, in YAML too', () => {
    const cases: [string, string][] = [
      ['Attribution overview', 'title: Attribution overview'],
      ['Q3 — ünïcødé 📈', 'title: Q3 — ünïcødé 📈'],
      ['', 'title: ""'],
      ['Note: draft', 'title: "Note: draft"'],
      ['"quoted"', 'title: "\\"quoted\\""'],
      [' padded ', 'title: " padded "'],
      ['two\nlines', 'title: "two\\nlines"'],
      ['# not a comment', 'title: "# not a comment"'],
      ['---', 'title: "---"'],
      // U+2028 is escaped: some editors rewrite it as a line break.
      ['a\u2028b', 'title: "a\\u2028b"'],
    ];
    for (const [title, line] of cases) {
      const text = serializeNotebook({ format: 'attribution-notebook/1', title, cells: [] });
      assert.equal(text.split('\n')[2], line);
      assert.equal(parseNotebook(text, 'x').notebook.title, title);
    }
    // A hand-written single-quoted YAML title reads too.
    assert.equal(parseNotebook("---\nformat: attribution-notebook/1\ntitle: 'it''s'\n---\n", 'x').notebook.title, "it's");
  });

  it('keeps text between cells as markdown cells with new ids, and gives id-less cells ids', () => {
    const text = file('', '# Hand written', 'prose', '', '```sql name=q', 'SELECT 1', '```', '```sql id=c2 name=r', 'SELECT 2', '```');
    const { notebook, warnings } = parseNotebook(text, 'h.attrib.md');
    assert.deepEqual(notebook.cells, [
      { id: 'c3', kind: 'markdown', source: '# Hand written\nprose' },
      { id: 'c4', kind: 'sql', name: 'q', source: 'SELECT 1' },
      { id: 'c2', kind: 'sql', name: 'r', source: 'SELECT 2' },
    ]);
    assert.deepEqual(warnings, ['h.attrib.md:6: text outside the cells is kept as markdown cell c3', 'h.attrib.md:9: the sql cell has no id: it is now c4']);
  });

  it('refuses an absolute data path with a warning (keeping the file name) and will not write one', () => {
    const body = (p: string) => ['', '```data id=d', '{', '  "name": "events",', `  "path": ${JSON.stringify(p)},`, '  "options": {}', '}', '```'];
    for (const [p, base] of [['/home/ann/x.parquet', 'x.parquet'], ['C:\\Users\\Ann\\y.csv', 'y.csv'], ['\\\\srv\\share\\z.csv', 'z.csv']]) {
      const { notebook, warnings } = parseNotebook(file(...body(p)), 'a.attrib.md');
      assert.equal((notebook.cells[0] as { path: string }).path, base);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /^a\.attrib\.md:6: data cell d: absolute path .* refused/);
    }
    // Backslashes of a relative path (hand-edited on Windows) read as forward slashes.
    assert.equal((parseNotebook(file(...body('data\\x.csv')), 'a').notebook.cells[0] as { path: string }).path, 'data/x.csv');
    assert.throws(
      () => serializeNotebook({ format: 'attribution-notebook/1', title: 'T', cells: [{ id: 'd', kind: 'data', name: 'events', path: '/abs/x.csv', options: {} }] }),
      /data cell d: path '\/abs\/x.csv' is absolute/,
    );
  });

  it('a data cell of several files keeps the others in morePaths, after path, checked like it', () => {
    const text = file('', '```data id=d', '{', '  "name": "events",', '  "path": "ga4/events_20260101.ndjson",', '  "morePaths": [', '    "ga4/events_20260102.ndjson",', '    "ga4/events_20260103.ndjson"', '  ],', '  "options": {}', '}', '```');
    const { notebook, warnings } = parseNotebook(text, 'a.attrib.md');
    assert.deepEqual(warnings, []);
    assert.deepEqual((notebook.cells[0] as { morePaths?: string[] }).morePaths, ['ga4/events_20260102.ndjson', 'ga4/events_20260103.ndjson']);
    assert.equal(serializeNotebook(notebook), text, 'round-trips byte for byte');
    // one file writes no morePaths key; an absolute one among them is refused like path
    assert.doesNotMatch(serializeNotebook({ format: 'attribution-notebook/1', title: 'T', cells: [{ id: 'd', kind: 'data', name: 'events', path: 'x.csv', options: {} }] }), /morePaths/);
    const abs = parseNotebook(text.replace('"ga4/events_20260103.ndjson"', '"/tmp/events_20260103.ndjson"'), 'a.attrib.md');
    assert.deepEqual((abs.notebook.cells[0] as { morePaths?: string[] }).morePaths, ['ga4/events_20260102.ndjson', 'events_20260103.ndjson']);
    assert.match(abs.warnings[0], /data cell d: absolute path '\/tmp\/events_20260103\.ndjson' refused/);
    assert.throws(
      () => serializeNotebook({ format: 'attribution-notebook/1', title: 'T', cells: [{ id: 'd', kind: 'data', name: 'events', path: 'x.csv', morePaths: ['/abs/y.csv'], options: {} }] }),
      /data cell d: path '\/abs\/y.csv' is absolute/,
    );
  });

  it('a data cell\'s conversions from a file of orders: conversionPaths after morePaths, conversionsMap in options, checked like path', () => {
    const text = file('', '```data id=d', '{', '  "name": "events",', '  "path": "sessions.csv",', '  "conversionPaths": [', '    "shop/orders.csv"', '  ],', '  "options": {',
      '    "conversionEvents": [', '      "order"', '    ],', '    "conversionsMap": {', '      "user_id": "Customer",', '      "event_ts": "Paid at"', '    },', '    "timezone": "Europe/Berlin"', '  }', '}', '```');
    // written out of order on purpose: the canonical text puts timezone first and conversionsMap after conversionEvents
    const { notebook, warnings } = parseNotebook(text, 'a.attrib.md');
    assert.deepEqual(warnings, []);
    const cell = notebook.cells[0] as DataCell;
    assert.deepEqual(cell.conversionPaths, ['shop/orders.csv']);
    assert.deepEqual(cell.options.conversionsMap, { user_id: 'Customer', event_ts: 'Paid at' });
    const canonical = serializeNotebook(notebook);
    assert.match(canonical, /"path": "sessions\.csv",\n {2}"conversionPaths": \[\n {4}"shop\/orders\.csv"\n {2}\],\n {2}"options": \{\n {4}"timezone": "Europe\/Berlin",\n {4}"conversionEvents": \[\n {6}"order"\n {4}\],\n {4}"conversionsMap": \{\n {6}"user_id": "Customer",\n {6}"event_ts": "Paid at"\n {4}\}\n {2}\}/);
    assert.equal(serializeNotebook(parseNotebook(canonical, 'a.attrib.md').notebook), canonical, 'round-trips byte for byte');
    // a notebook without them writes neither key: still what the earlier version 1 wrote
    const plain = serializeNotebook({ format: 'attribution-notebook/1', title: 'T', cells: [{ id: 'd', kind: 'data', name: 'events', path: 'x.csv', options: {} }] });
    assert.doesNotMatch(plain, /conversionPaths|conversionsMap/);
    assert.match(plain, /^---\nformat: attribution-notebook\/1\n/);
    // an absolute orders path is refused like path; a map value that is no column name fails naming the field
    const abs = parseNotebook(canonical.replace('"shop/orders.csv"', '"/home/ann/orders.csv"'), 'a.attrib.md');
    assert.deepEqual((abs.notebook.cells[0] as DataCell).conversionPaths, ['orders.csv']);
    assert.match(abs.warnings[0], /data cell d: absolute path '\/home\/ann\/orders\.csv' refused/);
    assert.throws(() => parseNotebook(canonical.replace('"Customer"', '7'), 'a.attrib.md'), /options: conversionsMap\.user_id must be a column name/);
    assert.throws(
      () => serializeNotebook({ format: 'attribution-notebook/1', title: 'T', cells: [{ id: 'd', kind: 'data', name: 'events', path: 'x.csv', conversionPaths: ['C:\\shop\\o.csv'], options: {} }] }),
      /data cell d: path 'C:\\shop\\o.csv' is absolute/,
    );
  });

  it('refuses notebooks it could not read back: bad ids, names, numbers', () => {
    const nb = (cells: Cell[]): Notebook => ({ format: 'attribution-notebook/1', title: 'T', cells });
    assert.throws(() => serializeNotebook(nb([{ id: 'a b', kind: 'markdown', source: '' }])), /cell id 'a b'/);
    assert.throws(() => serializeNotebook(nb([{ id: 'a', kind: 'markdown', source: '' }, { id: 'a', kind: 'markdown', source: '' }])), /used twice/);
    assert.throws(() => serializeNotebook(nb([{ id: 'a', kind: 'sql', name: 'x y', source: '' }])), /name 'x y' must be an identifier/);
    assert.throws(() => serializeNotebook(nb([{ id: 'a', kind: 'param', name: 'N', control: 'number', value: 1 }])), /lower-case/);
    assert.throws(() => serializeNotebook(nb([{ id: 'a', kind: 'param', name: 'n', control: 'number', value: NaN }])), /"value" is NaN/);
  });
});

describe('notebook format: errors name the file and line', () => {
  it('an unknown cell kind', () => {
    const text = file('', '```markdown id=c1', 'hi', '```', '', '```sqll id=c2 name=x', 'SELECT 1', '```');
    // line 10 is the fence of the second cell
    throwsExactly(() => parseNotebook(text, 'demo.attrib.md'), "demo.attrib.md:10: unknown cell kind 'sqll' (expected markdown, sql, chart, param, model, data)");
    throwsExactly(() => parseNotebook(file('```', 'x', '```'), 'd.attrib.md'), 'd.attrib.md:5: a cell block needs a kind after its backticks (markdown, sql, chart, param, model, data)');
  });

  it('a missing or unknown format, unclosed front matter', () => {
    throwsExactly(() => parseNotebook('# just markdown\n', 'a.md'), "a.md:1: the file must start with front matter: a '---' line, 'format: attribution-notebook/1', '---'");
    throwsExactly(() => parseNotebook('---\ntitle: x\n---\n', 'a.md'), "a.md:1: the front matter has no format (expected 'format: attribution-notebook/1')");
    throwsExactly(() => parseNotebook('---\ntitle: x\nformat: attribution-notebok/1\n---\n', 'a.md'), "a.md:3: unknown format 'attribution-notebok/1' (expected attribution-notebook/1)");
    throwsExactly(() => parseNotebook('---\nformat: attribution-notebook/0\n---\n', 'a.md'), "a.md:2: unknown format 'attribution-notebook/0' (expected attribution-notebook/1)");
    throwsExactly(() => parseNotebook('---\nformat: attribution-notebook/1\n', 'a.md'), 'a.md:1: the front matter is never closed (expected a second --- line)');
    throwsExactly(() => parseNotebook('---\nformat: attribution-notebook/1\nformat: attribution-notebook/1\n---\n', 'a.md'), "a.md:3: front matter key 'format' is given twice (first at line 2)");
  });

  it('a newer format version opens read-only with a warning, skipping what it cannot read', () => {
    const text = '---\nformat: attribution-notebook/2\ntitle: Future\n---\n\n```markdown id=a\nhi\n```\n\n```pivot id=b\n{}\n```\n\n```param id=c\n{\n  "name": "p",\n  "control": "color",\n  "value": "#fff"\n}\n```\n';
    const { notebook, readOnly, warnings } = parseNotebook(text, 'f.attrib.md');
    assert.equal(readOnly, true);
    assert.deepEqual(notebook.cells, [{ id: 'a', kind: 'markdown', source: 'hi' }]);
    assert.deepEqual(warnings, [
      'f.attrib.md:2: attribution-notebook/2 is newer than this version reads (attribution-notebook/1): opened read-only',
      "f.attrib.md:10: unknown cell kind 'pivot' (expected markdown, sql, chart, param, model, data): the block is skipped",
      "f.attrib.md:17: param cell c: \"control\" must be one of slider, number, select, date_range, text, checkbox, got 'color': the cell is skipped",
    ]);
  });

  it('a cell id used twice, naming both lines', () => {
    const text = file('', '```markdown id=c1', 'a', '```', '', '```markdown id=c1', 'b', '```');
    throwsExactly(() => parseNotebook(text, 'd.attrib.md'), "d.attrib.md:10: cell id 'c1' is used twice (first at line 6)");
  });

  it('a result name used twice (any case, across sql, model and data cells), naming both lines', () => {
    const text = file('', '```sql id=a name=Totals', 'SELECT 1', '```', '', '```data id=b', '{', '  "name": "totals",', '  "path": "x.csv",', '  "options": {}', '}', '```');
    throwsExactly(() => parseNotebook(text, 'd.attrib.md'), "d.attrib.md:10: result name 'totals' is used twice (first at line 6)");
    const params = file('', '```param id=a', '{"name": "p", "control": "text", "value": ""}', '```', '```param id=b', '{"name": "p", "control": "text", "value": "x"}', '```');
    throwsExactly(() => parseNotebook(params, 'd.attrib.md'), "d.attrib.md:9: parameter name 'p' is used twice (first at line 6)");
    // Parameters and tables are separate namespaces: $model and a table called model do not clash.
    const both = file('', '```param id=a', '{"name": "model", "control": "text", "value": ""}', '```', '```sql id=b name=model', 'SELECT 1', '```');
    assert.equal(parseNotebook(both, 'd').notebook.cells.length, 2);
  });

  it('an unclosed block, bad attributes, a missing sql name', () => {
    throwsExactly(() => parseNotebook(file('', '```sql id=a name=q', 'SELECT 1', '``'), 'd.attrib.md'), 'd.attrib.md:6: the sql block opened here is never closed (expected a line of ```)');
    // A shorter fence inside does not close a longer one.
    throwsExactly(() => parseNotebook(file('````markdown id=a', '```', 'x'), 'd.attrib.md'), 'd.attrib.md:5: the markdown block opened here is never closed (expected a line of ````)');
    throwsExactly(() => parseNotebook(file('```sql id=a', 'SELECT 1', '```'), 'd.attrib.md'), 'd.attrib.md:5: sql cell a needs name=NAME on its fence line (the name of its result table)');
    throwsExactly(() => parseNotebook(file('```sql id=a name=1x', '```'), 'd.attrib.md'), "d.attrib.md:5: sql cell a: name '1x' must be an identifier (letters, digits, _; not starting with a digit)");
    throwsExactly(() => parseNotebook(file('```sql id=a id=b name=q', '```'), 'd.attrib.md'), "d.attrib.md:5: attribute 'id' is given twice on the fence line");
    throwsExactly(() => parseNotebook(file('```sql id=a name', '```'), 'd.attrib.md'), "d.attrib.md:5: cannot read 'name' on the fence line (expected key=value)");
    throwsExactly(() => parseNotebook(file('```markdown id=a/b', '```'), 'd.attrib.md'), "d.attrib.md:5: cell id 'a/b' must be 1-64 letters, digits, _ or -");
    const { warnings } = parseNotebook(file('```markdown id=a lang=en', '```'), 'd.attrib.md');
    assert.deepEqual(warnings, ["d.attrib.md:5: attribute 'lang' of markdown cell a is not used and will not be saved"]);
  });

  it('bad JSON and bad fields, at the line of the problem', () => {
    throwsExactly(
      () => parseNotebook(file('', '```chart id=k', '{', '  "from": "x",', '}', '```'), 'd.attrib.md'),
      'd.attrib.md:9: chart cell k: the body is not valid JSON (Expected double-quoted property name in JSON at position 17)',
    );
    assert.throws(() => parseNotebook(file('```chart id=k', '{', '  "from": tru', '}', '```'), 'd.attrib.md'), (e: Error) => /^d\.attrib\.md:\d+: chart cell k: the body is not valid JSON \(.*\)$/.test(e.message) && !e.message.includes('\n'));
    throwsExactly(() => parseNotebook(file('```chart id=k', '```'), 'd.attrib.md'), 'd.attrib.md:5: chart cell k: the body is empty (expected a JSON object of its fields)');
    throwsExactly(() => parseNotebook(file('```chart id=k', '[]', '```'), 'd.attrib.md'), 'd.attrib.md:5: chart cell k: the body must be a JSON object');
    throwsExactly(
      () => parseNotebook(file('```chart id=k', '{', '  "from": "x",', '  "builder": {', '    "mark": "pie"', '  }', '}', '```'), 'd.attrib.md'),
      "d.attrib.md:9: chart cell k builder: \"mark\" must be one of bar, line, area, point, arc, rect, got 'pie'",
    );
    throwsExactly(
      () => parseNotebook(file('```param id=p', '{', '  "name": "days",', '  "control": "slider",', '  "value": "30"', '}', '```'), 'd.attrib.md'),
      'd.attrib.md:9: param cell p: "value" must be a number',
    );
    throwsExactly(
      () => parseNotebook(file('```param id=p', '{', '  "name": "days",', '  "control": "slider",', '  "value": 3', '}', '```'), 'd.attrib.md'),
      'd.attrib.md:8: param cell p: a slider needs "min" and "max"',
    );
    throwsExactly(
      () => parseNotebook(file('```param id=p', '{', '  "name": "Days",', '  "control": "number",', '  "value": 3', '}', '```'), 'd.attrib.md'),
      "d.attrib.md:7: param cell p: \"name\" must be a lower-case identifier (a-z, 0-9, _; not starting with a digit), got 'Days'",
    );
    throwsExactly(
      () => parseNotebook(file('```param id=p', '{"name": "d", "control": "date_range", "value": ["2024-01-01"]}', '```'), 'd.attrib.md'),
      'd.attrib.md:5: param cell p: "value" of a date_range must be ["YYYY-MM-DD", "YYYY-MM-DD"]',
    );
    throwsExactly(
      () => parseNotebook(file('```model id=m', '{', '  "name": "a",', '  "models": ["linear"],', '  "params": {"x": [1]}', '}', '```'), 'd.attrib.md'),
      'd.attrib.md:9: model cell m: params.x must be a number, a string or true/false',
    );
    throwsExactly(
      () => parseNotebook(file('```model id=m', '{', '  "name": "a",', '  "models": ["linear"],', '  "rules": {"format": "x", "rules": []}', '}', '```'), 'd.attrib.md'),
      "d.attrib.md:9: model cell m: rules: unknown rule file format 'x' (expected attribution-channel-rules/1)",
    );
    throwsExactly(
      () => parseNotebook(file('```data id=d', '{', '  "name": "events",', '  "path": "x.csv",', '  "options": {"encoding": "ebcdic"}', '}', '```'), 'd.attrib.md'),
      "d.attrib.md:5: data cell d options: \"encoding\" must be one of utf-8, latin1, windows-1252, utf-16le, got 'ebcdic'",
    );
  });

  it('unknown JSON fields are warnings, not errors, and are not written back', () => {
    const { notebook, warnings } = parseNotebook(file('```chart id=k', '{"from": "x", "colour": "red"}', '```'), 'd.attrib.md');
    assert.deepEqual(warnings, ["d.attrib.md:5: chart cell k: unknown field 'colour' is ignored"]);
    assert.deepEqual(notebook.cells, [{ id: 'k', kind: 'chart', from: 'x' }]);
    assert.ok(!serializeNotebook(notebook).includes('colour'));
  });
});

// ---- generated notebooks -------------------------------------------------

/** mulberry32: a small seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '', ' ', '\t', '\n', '\r\n', '\r', '`', '```', '````', '   ```', '```sql id=c1 name=x', '---', 'title: x', 'é', '你好', '📈', '\u2028', '\u0000',
  '"', "'", '\\', '$model', '{', '}', '# head', '    code', 'SELECT 1', '-- comment', '/* c */', '~~~', 'key=value', '\uFEFF',
];

function oddText(r: () => number, max = 8): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const num = (r: () => number) => pick(r, [0, 1, -3, 0.5, 1e-7, 123456789.125, 2 ** 53 - 1, Math.round(r() * 1000) / 8]);

function randomCell(r: () => number, id: string, i: number): Cell {
  const kind = pick(r, ['markdown', 'sql', 'chart', 'param', 'model', 'data'] as const);
  switch (kind) {
    case 'markdown':
      return { id, kind, source: oddText(r, 12) };
    case 'sql':
      return { id, kind, name: `q${i}`, source: oddText(r, 12) };
    case 'chart': {
      const c: Cell = { id, kind, from: pick(r, ['', 'q1', 'channel_summary']) };
      if (r() < 0.5) c.title = oddText(r);
      if (r() < 0.5) c.builder = { mark: pick(r, ['bar', 'line', 'arc'] as const), x: oddText(r, 3), ...(r() < 0.5 ? { aggregate: 'sum' as const, horizontal: r() < 0.5 } : {}) };
      if (r() < 0.5) c.spec = { mark: 'bar', encoding: { x: { field: oddText(r) } }, [oddText(r, 2) || 'k']: [1, null, true, oddText(r)] };
      return c;
    }
    case 'param': {
      const name = `p${i}`;
      const control = pick(r, ['slider', 'number', 'select', 'date_range', 'text', 'checkbox'] as const);
      const base = { id, kind, name, ...(r() < 0.5 ? { label: oddText(r) } : {}), ...(r() < 0.3 ? { unit: oddText(r, 2) } : {}) };
      if (control === 'slider') return { ...base, control, value: num(r), min: -5, max: 2 ** 53, step: 0.5 };
      if (control === 'number') return { ...base, control, value: num(r) };
      if (control === 'checkbox') return { ...base, control, value: r() < 0.5 };
      if (control === 'date_range') return { ...base, control, value: ['2024-01-01', '2024-12-31'] };
      if (control === 'select') {
        const options = [oddText(r), oddText(r)];
        return { ...base, control, value: options[0], options };
      }
      return { ...base, control, value: oddText(r) };
    }
    case 'model': {
      const c: Cell = { id, kind, name: `m${i}`, models: ['linear', oddText(r, 2)], params: { lookback_days: '$p1', [oddText(r, 2) || 'x']: num(r), flag: r() < 0.5 } };
      if (r() < 0.3) c.compare = 'linear';
      if (r() < 0.3) c.rules = { format: 'attribution-channel-rules/1', rules: [{ id: 'r1', channel: 'email', any: [{ field: 'utm_medium', op: 'in', values: [oddText(r) || 'email'] }] }], fallback: 'direct', labels: { email: 'E-mail ✉' } };
      if (r() < 0.3) c.audit = r() < 0.5;
      if (r() < 0.3) {
        c.baseline = {
          model: pick(r, ['linear', 'last_touch', oddText(r, 2) || 'x']),
          params: r() < 0.3 ? {} : { lookback_days: num(r), [oddText(r, 2) || 'y']: oddText(r), flag: r() < 0.5 },
          rules: { format: 'attribution-channel-rules/1', rules: [{ id: 'r1', channel: 'email', all: [{ field: 'utm_source', op: 'contains', values: [oddText(r) || 'news'] }], enabled: r() < 0.5 }], ...(r() < 0.5 ? { fallback: 'direct' } : {}) },
        };
      }
      return c;
    }
    case 'data': {
      const c: Cell = { id, kind, name: `d${i}`, path: pick(r, ['sample.parquet', 'sub dir/é x.csv', '../data/x.ndjson', '']), options: {} };
      if (r() < 0.5) c.fingerprint = { size: Math.floor(r() * 1e9), sha256: 'f'.repeat(64), ...(r() < 0.5 ? { partial: true } : {}) };
      if (r() < 0.5) c.options = { preset: 'ga4', map: { [oddText(r, 2) || 'a']: oddText(r) }, timeUnit: 'ms', conversionEvents: ['purchase', oddText(r)], encoding: 'latin1' };
      return c;
    }
  }
}

/** What a notebook reads back as: sources (raw text) with LF line ends only. */
function lfOnly(nb: Notebook): Notebook {
  return {
    ...nb,
    cells: nb.cells.map((c) => (c.kind === 'markdown' || c.kind === 'sql' ? { ...c, source: c.source.replace(/\r\n?/g, '\n') } : c)),
  };
}

describe('notebook format: generated notebooks round-trip', () => {
  it('parse(serialize(nb)) is nb (LF line ends) and serialize(parse(text)) is text, CRLF or not', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const n = Math.floor(r() * 7);
      const cells = Array.from({ length: n }, (_, i) => randomCell(r, pick(r, ['c', 'x_', 'id-']) + i, i));
      const nb: Notebook = { format: 'attribution-notebook/1', title: oddText(r, 4), cells };
      const text = serializeNotebook(nb);
      assert.ok(text.endsWith('\n') && !text.includes('\r'), `seed ${seed}: LF only`);
      const parsed = parseNotebook(text, 'gen.attrib.md');
      assert.deepEqual(parsed.warnings, [], `seed ${seed}`);
      assert.deepEqual(parsed.notebook, lfOnly(nb), `seed ${seed}`);
      assert.equal(serializeNotebook(parsed.notebook), text, `seed ${seed}`);
      // The same file saved with CRLF by another editor reads the same.
      assert.deepEqual(parseNotebook(text.replace(/\n/g, '\r\n'), 'gen.attrib.md').notebook, parsed.notebook, `seed ${seed} (CRLF)`);
    }
  });
});
