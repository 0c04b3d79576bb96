/**
 * The HTML report's text (renderer/app/reportHtml.ts, renderer/ui/markdown.ts
 * markdownHtml), built without a browser: Markdown rendered and escaped,
 * model parameters as the values the run used, numbers formatted as the grid
 * writes them and right-aligned, rejects in words. Expected strings are
 * written out by hand.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { markdownHtml, parseMarkdown } from '../../renderer/ui/markdown.ts';
import { chartSection, dataSection, modelParamsHtml, modelSection, paramsSection, paramLabel, paramValueText, rejectsHtml, reportDocument, sqlSection, tableHtml } from '../../renderer/app/reportHtml.ts';

describe('markdownHtml', () => {
  it('renders headings (one level down), bold, italic, code and lists', () => {
    assert.equal(markdownHtml('# Overview\n\nSome **bold** and *soft* `code`.\n\n- one\n- two **2**\n\n1. first'),
      '<h2>Overview</h2>\n<p>Some <strong>bold</strong> and <em>soft</em> <code>code</code>.</p>\n<ul><li>one</li><li>two <strong>2</strong></li></ul>\n<ol><li>first</li></ol>');
  });
  it('keeps a <script> and other markup as text', () => {
    const html = markdownHtml('Hi <script>alert(1)</script> & <b onclick="x">b</b>');
    assert.equal(html, '<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b onclick=&quot;x&quot;&gt;b&lt;/b&gt;</p>');
    assert.doesNotMatch(html, /<script|<b /);
  });
  it('a link is its text with the target after it as text, both escaped (no href, no attribute holds the target)', () => {
    const html = markdownHtml('See [the <docs>](https://x.test/"onmouseover=x).');
    assert.equal(html, '<p>See <span class="md-link">the &lt;docs&gt;</span> <span class="md-href">(https://x.test/&quot;onmouseover=x)</span>.</p>');
    assert.doesNotMatch(html, /href=|title=/);
    assert.doesNotMatch(markdownHtml('[x](javascript:alert(1))'), /="\s*javascript:/);
  });
  it('fenced code and quotes stay text; the parser is the one the app renders with', () => {
    assert.equal(markdownHtml('```\nSELECT 1 < 2\n```\n> **quoted**'), '<pre><code>SELECT 1 &lt; 2</code></pre>\n<blockquote><strong>quoted</strong></blockquote>');
    assert.deepEqual(parseMarkdown('## Two'), [{ t: 'h', level: 3, c: ['Two'] }]);
  });
});

describe('report tables', () => {
  const cols = [{ name: 'channel', type: 'VARCHAR' }, { name: 'attributed', type: 'DOUBLE' }, { name: 'n', type: 'BIGINT' }];
  it('numeric columns are right-aligned in th and td and written as the grid writes them', () => {
    const html = tableHtml(cols, [{ channel: 'email', attributed: 1234.56789012, n: 12345 }, { channel: 'paid <search>', attributed: null, n: 7 }]);
    assert.match(html, /<th title="VARCHAR">channel<\/th><th class="num" title="DOUBLE">attributed<\/th><th class="num" title="BIGINT">n<\/th>/);
    // grid.ts formatValue: thousands separators, a DOUBLE at two decimals
    assert.match(html, /<tr><td>email<\/td><td class="num">1,234.57<\/td><td class="num">12,345<\/td><\/tr>/);
    assert.match(html, /<tr><td>paid &lt;search&gt;<\/td><td class="num null">NULL<\/td><td class="num">7<\/td><\/tr>/);
  });
  it('says when rows were left out', () => {
    assert.match(tableHtml(cols, [{ channel: 'a', attributed: 1, n: 1 }], 2500), /First 1 of 2,500 rows\./);
    assert.doesNotMatch(tableHtml(cols, [{ channel: 'a', attributed: 1, n: 1 }], 1), /First/);
  });
  it('a SQL section escapes its query and name', () => {
    const html = sqlSection('top<1>', 'SELECT \'<b>\' AS x\n', [{ name: 'x', type: 'VARCHAR' }], [{ x: '<b>' }], 1);
    assert.match(html, /<h3>top&lt;1&gt;<\/h3><pre class="code">SELECT &#39;&lt;b&gt;&#39; AS x<\/pre>/);
    assert.match(html, /<td>&lt;b&gt;<\/td>/);
  });
});

describe('model sections', () => {
  const specs = [
    { name: 'lookback_days', unit: 'days' },
    { name: 'half_life_days', unit: 'days', description: 'credit halves every this many days' },
    { name: 'click_proof' },
  ];
  it('labels parameters from their header names and units', () => {
    assert.equal(paramLabel('lookback_days', 'days'), 'Lookback');
    assert.equal(paramLabel('session_timeout_minutes', 'minutes'), 'Session timeout');
    assert.equal(paramLabel('markov_order'), 'Markov order');
    assert.equal(paramValueText(1500, 'days'), '1,500 days');
    assert.equal(paramValueText(true), 'yes');
    assert.equal(paramValueText(''), 'none');
  });
  it('shows "$name" parameters as the values the run used, not the references or JSON', () => {
    const cell = { params: { lookback_days: '$lookback_days', half_life_days: '$half_life_days', click_proof: false } };
    const html = modelParamsHtml(cell, { lookback_days: 30, half_life_days: 7.5, click_proof: false }, specs);
    assert.equal(html, '<p class="params">'
      + '<span class="param-item" title="follows the notebook parameter lookback_days"><span class="k">Lookback:</span> 30 days</span>, '
      + '<span class="param-item" title="credit halves every this many days; follows the notebook parameter half_life_days"><span class="k">Half life:</span> 7.5 days</span>, '
      + '<span class="param-item"><span class="k">Click proof:</span> no</span></p>');
    assert.doesNotMatch(html, /\$|\{/);
  });
  it('a cell without parameters says the defaults apply', () => {
    assert.match(modelParamsHtml({ params: {} }, {}, specs), /the models\u2019 defaults/);
  });
  it('channel summary: engine types, credits and revenue with two decimals, right-aligned', () => {
    const cols = [{ name: 'model', type: 'VARCHAR' }, { name: 'channel', type: 'VARCHAR' }, { name: 'attributed_conversions', type: 'DOUBLE' }, { name: 'attributed_revenue', type: 'DOUBLE' }, { name: 'conversion_kind', type: 'VARCHAR' }];
    const rows = [{ model: 'linear', channel: 'email', attributed_conversions: 1234.5678, attributed_revenue: 98765.4321, conversion_kind: 'purchase' }];
    const html = modelSection({ name: 'attribution', models: ['linear', 'time_decay'], params: { lookback_days: '$lookback_days' } }, { lookback_days: 30 }, specs,
      { conversions: 1500, byStatus: { attributed: 1400, direct_only: 100 }, rejects: 3 }, cols, rows, 1);
    assert.match(html, /<tr><td>linear<\/td><td>email<\/td><td class="num">1,234.57<\/td><td class="num">98,765.43<\/td><td>purchase<\/td><\/tr>/);
    assert.match(html, /<th class="num" title="DOUBLE">attributed_conversions<\/th>/);
    assert.match(html, /<span class="k">Models:<\/span> linear, time decay/);
    assert.match(html, /1,500 conversions \(attributed 1,400, direct only 100\) · 3 rejected rows/);
    assert.match(html, /Lookback:<\/span> 30 days/);
  });
});

describe('parameter and chart sections', () => {
  it('parameter cells as one list of labels and values with units', () => {
    const html = paramsSection([
      { id: 'a', kind: 'param', name: 'lookback_days', label: 'Lookback <window>', control: 'slider', value: 30, unit: 'days' },
      { id: 'b', kind: 'param', name: 'period', control: 'date_range', value: ['2024-01-01', '2024-01-31'] },
    ]);
    assert.equal(html, '<section class="params"><h3>Parameters</h3><dl class="kv"><dt>Lookback &lt;window&gt;</dt><dd>30 days</dd><dt>period</dt><dd>2024-01-01 → 2024-01-31</dd></dl></section>');
  });
  it('a titled chart is not headed twice (vega draws the title); an untitled one says what it draws', () => {
    assert.equal(chartSection('Credit', 'credit_by_channel', '<svg></svg>'), '<section class="chart"><figure><svg></svg></figure></section>');
    assert.equal(chartSection(undefined, 'credit_by_channel', '<svg></svg>'), '<section class="chart"><h3>credit_by_channel</h3><figure><svg></svg></figure></section>');
  });
});

describe('data sections', () => {
  it('rejects by reason as a small table in words, largest first, counts formatted', () => {
    const html = rejectsHtml({ bad_timestamp: 12, missing_user: 1234, ragged_row: 0 });
    assert.equal(html, '<table class="small rejects"><thead><tr><th>reason</th><th class="num">rows</th></tr></thead><tbody>'
      + '<tr><td>missing user</td><td class="num">1,234</td></tr><tr><td>bad timestamp</td><td class="num">12</td></tr></tbody></table>');
    assert.equal(rejectsHtml({}), '<span class="none">none</span>');
  });
  it('the file, counts and rejects, no JSON', () => {
    const html = dataSection({ name: 'events', path: 'sample.parquet' }, { rowsRead: 10500, rowsLoaded: 10488, conversions: 900, rejectsByReason: { bad_timestamp: 12 }, layout: 'generic events' });
    assert.match(html, /<dt>File<\/dt><dd>sample.parquet<\/dd>/);
    assert.match(html, /10,500 read · 10,488 loaded · 900 conversions/);
    assert.match(html, /<td>bad timestamp<\/td><td class="num">12<\/td>/);
    assert.doesNotMatch(html, /[{}]/);
  });
});

describe('reportDocument', () => {
  it('is one static page: a CSP that loads nothing, no script, the title escaped', () => {
    const html = reportDocument('Q3 <report>', new Date('2024-05-06T07:08:09Z'), ['<section>x</section>']);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
    assert.match(html, /<title>Q3 &lt;report&gt;<\/title>/);
    assert.match(html, /Exported 2024-05-06 07:08 UTC/);
    assert.match(html, /th\.num,td\.num\{text-align:right\}/);
    assert.doesNotMatch(html, /<script|https?:\/\//);
  });
});
