/**
 * The journey inspector ("explain this number"): find a conversion, an order
 * (the conversion event's event_id) or a person, and see the conversion's
 * touches on a timeline and in a table, the person's rejected rows, and
 * every model's credit worked out again from the journey and the run's
 * parameters (common/explain.ts) beside the credits table's rows.
 *
 * Every query goes through the notebook's session with its values bound,
 * under the id '__inspector' (a new search cancels the one in flight).
 */
import type { Row, SqlValue } from '../../common/db.ts';
import { bindNamed } from '../../common/modelHeader.ts';
import { checkCredits, explainJourney, type Explanation, type ExplainTouch } from '../../common/explain.ts';
import type { VegaLiteSpec } from '../../common/charts.ts';
import type { Result as EmbedResult } from 'vega-embed';
import { h, icon, replace } from '../ui/dom.ts';
import { drawChart } from '../ui/chart.ts';
import type { Session } from './session.ts';

/** What the last model run used, as the App resolved it. */
export interface InspectorRun {
  /** The model cell's name. */
  cell: string;
  models: string[];
  /** Each model's resolved parameters (data-driven models: the paths stage's). */
  params: Record<string, Record<string, unknown>>;
  lookbackDays: number;
  /** Markov removal effects by channel, when markov ran. */
  removalEffects?: Record<string, number>;
}

/** What the App can do with an open inspector. */
export interface InspectorHandle {
  /** Draws the timeline again in the current theme. */
  retheme(): void;
  /** Shows the picked conversion or person again from the tables of a new run. */
  refresh(): void;
  close(): void;
}

export interface InspectorDeps {
  session: Session;
  dark(): boolean;
  run(): InspectorRun | undefined;
  /**
   * The pseudonym the import gave this id, when the data is pseudonymised and
   * its key is open (else null): lets a person be found by the raw id typed.
   */
  pseudonym?(id: string): Promise<string | null>;
}

const ID = '__inspector';
const MAX_MATCHES = 20;
const DAY_US = 86_400_000_000;

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const numv = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
const fmtNum = (x: number, digits = 6) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits }) : '—');
const fmtShare = (x: number) => (Number.isFinite(x) ? x.toFixed(6) : '—');
const fmtDays = (d: number) => (Number.isFinite(d) ? `${d.toFixed(2)} d` : '—');
const fmtMoney = (x: number) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '—');
const utc = (us: number) => (Number.isFinite(us) ? new Date(us / 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '—');
/** RE2 needs its metacharacters escaped; the pattern is bound, never pasted into SQL. */
const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const IDENTITY: Record<string, string> = {
  user_id: 'identified by user_id',
  stitched: 'stitched: an anon_id linked to a user_id',
  anonymous: 'anonymous (anon_id only)',
};
const STATUS_TEXT: Record<string, string> = {
  attributed: 'attributed',
  direct_only: 'direct only',
  no_touch: 'no touch',
};

interface Match {
  kind: 'conversion' | 'person';
  id: string;
  person: string;
  at: string;
  value: number;
  status: string;
  how: string;
  conversions: number;
}

/** Opens the inspector (over any other overlay); returns a handle the App repaints on a theme change. */
export function openInspector(deps: InspectorDeps, initial = ''): InspectorHandle {
  document.querySelector('.overlay')?.remove();
  const q = (sql: string, values: Record<string, SqlValue>): Promise<Row[]> => {
    const b = bindNamed(sql, values);
    return deps.session.query(ID, b.sql, b.params);
  };
  const input = h('input', {
    class: 'inp insp-search',
    type: 'search',
    placeholder: 'Conversion id, order id (event_id), user_id, anon_id or person_key',
    'aria-label': 'Search conversions and people',
    spellcheck: 'false',
    autocomplete: 'off',
  }) as HTMLInputElement;
  const runNote = h('div', { class: 'note' });
  const list = h('div', { class: 'insp-list', role: 'listbox', 'aria-label': 'Matches' });
  const detail = h('div', { class: 'insp-detail', 'data-testid': 'inspector-detail' });
  let embed: EmbedResult | undefined;
  let redraw: (() => void) | undefined;
  let seq = 0;
  let timer = 0;
  let matches: Match[] = [];
  let picked: string | undefined;

  const close = () => {
    window.clearTimeout(timer);
    deps.session.cancel(ID);
    embed?.finalize();
    overlay.remove();
  };
  const panel = h('div', { class: 'inspector', role: 'dialog', 'aria-label': 'Journey inspector' },
    h('div', { class: 'insp-head' },
      h('h2', {}, 'Journey inspector'),
      input,
      h('button', { class: 'btn ghost', 'aria-label': 'Close', title: 'Close (Esc)', onclick: close }, '×')),
    runNote,
    h('div', { class: 'insp-body' }, list, detail));
  const overlay = h('div', { class: 'overlay wide', onclick: (e: Event) => e.target === overlay && close() }, panel);
  overlay.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });
  document.body.appendChild(overlay);

  const empty = (text: string, sub?: string) => h('div', { class: 'empty insp-empty', 'data-testid': 'inspector-empty' }, h('div', {}, text), sub ? h('div', { class: 'note' }, sub) : null);

  // ------------------------------------------------------------ readiness

  const ready = async (): Promise<boolean> => {
    const run = deps.run();
    const rows = await q(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'main' AND table_name IN ('credits', 'journey_touches', 'conversions', 'touches')`, {}).catch(() => [{ n: 0 }]);
    if (!run || Number(rows[0].n) < 4) {
      runNote.textContent = '';
      replace(list);
      replace(detail, empty('Run a model cell first.', 'The inspector explains the credits of the last model run: its journeys, touches and credits tables.'));
      return false;
    }
    runNote.textContent = `Explaining the last run of model cell “${run.cell}”: ${run.models.join(', ')} · lookback ${fmtNum(run.lookbackDays)} days${run.params.time_decay ? ` · half-life ${fmtNum(Number(run.params.time_decay.half_life_days))} days` : ''}.`;
    return true;
  };

  // ------------------------------------------------------------ search

  const search = async (text: string) => {
    const my = ++seq;
    const s = text.trim();
    if (!(await ready()) || my !== seq) return;
    if (!s) {
      matches = [];
      replace(list);
      replace(detail, empty('Type a conversion id, an order id (event_id), or a person (user_id, anon_id or person_key).', 'Exact matches come first, then ids that start with what you typed. Or pick one of the largest conversions.'));
      // not an empty panel: the largest conversions of the run, to start from
      const top = await q(`SELECT conversion_id AS id, person_key AS person, conversion_us AS at_us, value, touch_status AS status
        FROM conversions ORDER BY value DESC NULLS LAST, conversion_us DESC, conversion_id LIMIT 10`, {}).catch(() => []);
      if (my !== seq || !top.length) return;
      const suggested: Match[] = top.map((r) => ({ kind: 'conversion', id: str(r.id), person: str(r.person), at: r.at_us === null ? '' : utc(numv(r.at_us)), value: numv(r.value), status: str(r.status), how: 'largest', conversions: 0 }));
      replace(list,
        h('div', { class: 'insp-list-head' }, 'Largest conversions'),
        suggested.map((m) => h('button', { class: 'insp-match', role: 'option', 'aria-selected': 'false', 'data-testid': 'inspector-suggestion', 'data-id': m.id, onclick: () => {
          matches = suggested;
          pick(m);
        } },
        h('span', { class: 'insp-match-kind' }, 'Conversion'),
        h('span', { class: 'insp-match-id' }, m.id),
        h('span', { class: 'note' }, `${m.at} · ${fmtMoney(m.value)} · ${STATUS_TEXT[m.status] ?? m.status}`))));
      return;
    }
    replace(list, h('div', { class: 'note insp-pad' }, 'Searching…'));
    // pseudonymised data: the typed id is also looked up by its pseudonym (never stored)
    const hashed = /^[0-9a-f]{64}$/.test(s) ? null : ((await deps.pseudonym?.(s).catch(() => null)) ?? null);
    if (my !== seq) return;
    let rows: Row[];
    try {
      rows = await q(`
        WITH conv AS (
          SELECT 'conversion' AS kind, conversion_id AS id, person_key AS person, conversion_us AS at_us, value, touch_status AS status,
            CASE WHEN conversion_id = $q THEN 0 ELSE 2 END AS rank,
            CASE WHEN conversion_id = $q THEN 'conversion id (order id)' ELSE 'conversion id starts with it' END AS how
          FROM conversions WHERE starts_with(conversion_id, $q)
          ORDER BY rank, id LIMIT $lim
        ), ppl AS (
          SELECT 'person' AS kind, person_key AS id, person_key AS person, NULL::BIGINT AS at_us, NULL::DOUBLE AS value, NULL::VARCHAR AS status,
            CASE WHEN bool_or(person_key = $q OR user_id = $q OR anon_id = $q OR event_id = $q OR user_id = $h OR anon_id = $h) THEN 1 ELSE 3 END AS rank,
            CASE WHEN bool_or(user_id = $h) THEN 'user_id (by its pseudonym)' WHEN bool_or(anon_id = $h) THEN 'anon_id (by its pseudonym)'
                 WHEN bool_or(user_id = $q) THEN 'user_id' WHEN bool_or(anon_id = $q) THEN 'anon_id' WHEN bool_or(person_key = $q) THEN 'person_key'
                 WHEN bool_or(event_id = $q) THEN 'event_id of one of their events'
                 WHEN bool_or(starts_with(user_id, $q)) THEN 'user_id starts with it' WHEN bool_or(starts_with(anon_id, $q)) THEN 'anon_id starts with it'
                 ELSE 'person_key starts with it' END AS how
          FROM events_p
          WHERE starts_with(person_key, $q) OR starts_with(user_id, $q) OR starts_with(anon_id, $q) OR (event_id = $q AND NOT is_conversion)
            OR user_id = $h OR anon_id = $h
          GROUP BY person_key
          ORDER BY rank, id LIMIT $lim
        ), m AS (SELECT * FROM conv UNION ALL SELECT * FROM ppl ORDER BY rank, kind, id LIMIT $lim)
        SELECT m.kind, m.id, m.person, m.at_us, m.value, m.status, m.how, m.rank,
          CASE WHEN m.kind = 'person' THEN (SELECT count(*) FROM conversions c WHERE c.person_key = m.id) END AS conversions
        FROM m ORDER BY m.rank, m.kind, m.id`, { q: s, h: hashed, lim: MAX_MATCHES });
    } catch (e) {
      if (my === seq) replace(list, h('div', { class: 'error-box' }, (e as Error).message.split('\n')[0]));
      return;
    }
    if (my !== seq) return;
    matches = rows.map((r) => ({
      kind: r.kind === 'person' ? 'person' : 'conversion',
      id: str(r.id),
      person: str(r.person),
      at: r.at_us === null ? '' : utc(numv(r.at_us)),
      value: numv(r.value),
      status: str(r.status),
      how: str(r.how),
      conversions: numv(r.conversions),
    }));
    if (!matches.length) {
      replace(list);
      replace(detail, empty(`No conversion, order or person matches “${s}”.`, 'Ids keep their case: U1 and u1 are different people.'));
      return;
    }
    paintList();
    const exact = rows.filter((r) => Number(r.rank) <= 1);
    if (matches.length === 1 || exact.length === 1) pick(exact.length === 1 ? matches[rows.indexOf(exact[0])] : matches[0]);
    else replace(detail, empty(`${matches.length}${matches.length === MAX_MATCHES ? '+' : ''} matches: pick one.`));
  };

  const paintList = () => {
    replace(list,
      h('div', { class: 'insp-list-head' }, `${matches.length}${matches.length === MAX_MATCHES ? ' (first 20)' : ''} match${matches.length === 1 ? '' : 'es'}`),
      matches.map((m) => h('button', {
        class: `insp-match${picked === `${m.kind}:${m.id}` ? ' on' : ''}`,
        role: 'option',
        'aria-selected': picked === `${m.kind}:${m.id}` ? 'true' : 'false',
        'data-testid': 'inspector-match',
        'data-kind': m.kind,
        'data-id': m.id,
        onclick: () => pick(m),
      },
      h('span', { class: 'insp-match-kind' }, m.kind === 'conversion' ? 'Conversion' : 'Person'),
      h('span', { class: 'insp-match-id' }, m.id),
      h('span', { class: 'note' }, m.kind === 'conversion'
        ? `${m.at} · ${fmtMoney(m.value)} · ${STATUS_TEXT[m.status] ?? m.status}`
        : `${fmtNum(m.conversions)} conversion${m.conversions === 1 ? '' : 's'} · matched on ${m.how}`))));
  };

  const pick = (m: Match) => {
    picked = `${m.kind}:${m.id}`;
    paintList();
    if (m.kind === 'conversion') void showConversion(m.id);
    else void showPerson(m.id);
  };

  // ------------------------------------------------------------ shared pieces

  const section = (title: string, ...children: (Node | null)[]) => h('section', { class: 'insp-section' }, h('h3', {}, title), ...children);

  /** The person's ids (user_id, anon_id) and how their rejected rows are found by them. */
  const rejectsOf = async (person: string, my: number): Promise<HTMLElement | null> => {
    const ids = await q(`
      SELECT DISTINCT 'user_id' AS k, user_id AS v FROM events_p WHERE person_key = $p AND user_id IS NOT NULL
      UNION SELECT DISTINCT 'anon_id', anon_id FROM events_p WHERE person_key = $p AND anon_id IS NOT NULL
      ORDER BY 1, 2 LIMIT 50`, { p: person });
    if (my !== seq) return null;
    const values = ids.map((r) => str(r.v)).filter((v) => v);
    const how = ids.map((r) => `${r.k} ${r.v}`).join(', ');
    if (!values.length) return section('Rejected rows', h('p', { class: 'note' }, 'This person has no user_id or anon_id to look for.'));
    // The rejects table has no person key (a rejected row never got one): its raw text is searched for
    // the person's ids as whole fields (not inside longer ids: U1 does not match U10).
    const sep = '[^A-Za-z0-9_.:@-]';
    const pattern = `(^|${sep})(${values.map(reEscape).join('|')})($|${sep})`;
    const rows = await q(`SELECT file, row_number, reason, raw, detail, count(*) OVER () AS total FROM rejects WHERE regexp_matches(raw, $pat) ORDER BY file, row_number LIMIT 50`, { pat: pattern });
    if (my !== seq) return null;
    const total = rows.length ? Number(rows[0].total) : 0;
    return section(`Rejected rows (${total})`,
      h('p', { class: 'note', 'data-testid': 'rejects-how' }, `Matched on the raw text of the row containing ${how} as a whole field (rejected rows have no person_key).`),
      rows.length
        ? h('div', { class: 'insp-scroll' }, h('table', { class: 'simple' },
          h('thead', {}, h('tr', {}, ['file', 'row', 'reason', 'detail', 'raw'].map((c) => h('th', { class: c === 'row' ? 'num' : '' }, c)))),
          h('tbody', {}, rows.map((r) => h('tr', { 'data-testid': 'reject-row' },
            h('td', {}, str(r.file)), h('td', { class: 'num' }, fmtNum(numv(r.row_number))),
            h('td', {}, h('span', { class: 'pill bad' }, str(r.reason))), h('td', {}, str(r.detail)),
            h('td', { class: 'mono clip', title: str(r.raw) }, str(r.raw)))))))
        : h('p', { class: 'note' }, 'None.'),
      total > rows.length ? h('p', { class: 'note' }, `Showing the first ${rows.length} of ${total}.`) : null);
  };

  // ------------------------------------------------------------ a person

  const showPerson = async (person: string) => {
    const my = ++seq;
    replace(detail, h('div', { class: 'note insp-pad' }, 'Loading…'));
    try {
      const [facts, conv] = await Promise.all([
        q(`SELECT count(*) AS events, min(ts_us) AS first_us, max(ts_us) AS last_us, string_agg(DISTINCT identity_source, ', ' ORDER BY identity_source) AS sources
           FROM events_p WHERE person_key = $p`, { p: person }),
        q(`SELECT conversion_id, conversion_us, value, conversion_kind, touch_status, credited FROM conversions WHERE person_key = $p ORDER BY conversion_us, conversion_id LIMIT 200`, { p: person }),
      ]);
      if (my !== seq) return;
      const f = facts[0] ?? {};
      const sources = str(f.sources).split(', ').filter(Boolean);
      const rejects = await rejectsOf(person, my);
      if (my !== seq) return;
      replace(detail,
        h('div', { class: 'insp-card' },
          h('div', { class: 'insp-title' }, h('span', { class: 'kind' }, 'Person'), h('span', { class: 'insp-id' }, person)),
          h('dl', { class: 'kv' },
            h('dt', {}, 'identified'), h('dd', {}, sources.map((s) => IDENTITY[s] ?? s).join('; ') || '—'),
            h('dt', {}, 'events'), h('dd', {}, `${fmtNum(numv(f.events))} (${utc(numv(f.first_us))} → ${utc(numv(f.last_us))})`),
            h('dt', {}, 'conversions'), h('dd', {}, fmtNum(conv.length)))),
        section('Conversions',
          conv.length
            ? h('table', { class: 'simple insp-pick' },
              h('thead', {}, h('tr', {}, ['conversion id', 'time', 'kind', 'value', 'status', 'credited touches', ''].map((c, i) => h('th', { class: i === 3 || i === 5 ? 'num' : '' }, c)))),
              h('tbody', {}, conv.map((r) => h('tr', { 'data-testid': 'person-conversion', tabindex: 0, onclick: () => inspectConversion(str(r.conversion_id)), onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Enter' && inspectConversion(str(r.conversion_id)) },
                h('td', { class: 'mono' }, str(r.conversion_id)), h('td', {}, utc(numv(r.conversion_us))), h('td', {}, str(r.conversion_kind)),
                h('td', { class: 'num' }, fmtMoney(numv(r.value))), h('td', {}, statusPill(str(r.touch_status))), h('td', { class: 'num' }, fmtNum(numv(r.credited))),
                h('td', {}, h('button', { class: 'btn small' }, 'Inspect'))))))
            : h('p', { class: 'note' }, 'This person has no conversion.')),
        rejects);
    } catch (e) {
      if (my === seq) replace(detail, h('div', { class: 'error-box' }, (e as Error).message.split('\n')[0]));
    }
  };

  const inspectConversion = (id: string) => {
    picked = `conversion:${id}`;
    paintList();
    void showConversion(id);
  };

  const statusPill = (s: string) => h('span', { class: `pill${s === 'attributed' ? ' good' : ''}` }, STATUS_TEXT[s] ?? s);

  // ------------------------------------------------------------ a conversion

  const showConversion = async (id: string, keepScroll = false) => {
    const my = ++seq;
    const run = deps.run();
    if (!run) return void ready();
    const scroll = detail.scrollTop;
    if (!keepScroll) replace(detail, h('div', { class: 'note insp-pad' }, 'Loading…'));
    try {
      const [head, touches, journey, credits] = await Promise.all([
        q(`SELECT c.conversion_id, c.person_key, c.conversion_us, c.value, c.conversion_kind, c.lookback_us, c.touches, c.credited, c.touch_status,
             e.identity_source, e.user_id, e.anon_id
           FROM conversions c LEFT JOIN events_p e ON e.event_id = c.conversion_id WHERE c.conversion_id = $id LIMIT 1`, { id }),
        // the person's sessions up to the conversion, from twice the lookback before (so the ones just outside show too)
        q(`SELECT t.session_key, t.touch_us, t.channel, t.events, t.has_click_token,
             (c.conversion_us - t.touch_us) / 86400000000.0 AS days_before,
             t.touch_us >= c.conversion_us - c.lookback_us AS in_lookback,
             j.i, j.n, e.utm_source, e.utm_medium, e.utm_campaign,
             concat_ws(' ', 'gclid=' || e.gclid, 'msclkid=' || e.msclkid, 'fbclid=' || e.fbclid, 'ttclid=' || e.ttclid, 'li_fat_id=' || e.li_fat_id, 'rdt_cid=' || e.rdt_cid) AS click_ids
           FROM conversions c
           JOIN touches t ON t.person_key = c.person_key AND t.touch_us <= c.conversion_us AND t.touch_us >= c.conversion_us - 2 * c.lookback_us
           LEFT JOIN journey_touches j ON j.conversion_id = c.conversion_id AND j.session_key = t.session_key
           LEFT JOIN (SELECT * FROM events WHERE event_id IN (
             SELECT t2.channel_event_id FROM conversions c2 JOIN touches t2 ON t2.person_key = c2.person_key WHERE c2.conversion_id = $id)) e
             ON e.event_id = t.channel_event_id
           WHERE c.conversion_id = $id
           ORDER BY t.touch_us, t.session_key LIMIT 500`, { id }),
        q(`SELECT session_key, touch_us, channel, days_before, i, n, has_click_token FROM journey_touches WHERE conversion_id = $id ORDER BY i`, { id }),
        q(`SELECT model, channel, credit FROM credits WHERE conversion_id = $id ORDER BY model, channel`, { id }),
      ]);
      if (my !== seq) return;
      if (!head.length) return void replace(detail, empty(`No conversion ${id} in this run.`));
      const c = head[0];
      const convUs = numv(c.conversion_us);
      const lookbackUs = numv(c.lookback_us);
      const person = str(c.person_key);
      const jt: ExplainTouch[] = journey.map((r) => ({ i: numv(r.i), n: numv(r.n), channel: str(r.channel), days_before: numv(r.days_before), session_key: str(r.session_key), has_click_token: r.has_click_token === true }));
      const explanations = explainJourney(run.models, jt, { params: run.params, removalEffects: run.removalEffects });
      const byModel = new Map<string, Record<string, number>>();
      for (const r of credits) {
        const m = str(r.model);
        if (!byModel.has(m)) byModel.set(m, {});
        byModel.get(m)![str(r.channel)] = numv(r.credit);
      }
      const rejects = await rejectsOf(person, my);
      if (my !== seq) return;
      const source = str(c.identity_source);
      const ident = source === 'stitched' ? `stitched: anon_id ${str(c.anon_id)} linked to user_id ${person}` : source === 'user_id' ? `user_id on the conversion event` : source === 'anonymous' ? `anonymous: anon_id ${str(c.anon_id)}` : source;
      const timelineEl = h('div', { class: 'chart-wrap insp-timeline', 'data-testid': 'inspector-timeline' });
      replace(detail,
        h('div', { class: 'insp-card', 'data-testid': 'inspector-conversion', 'data-id': id },
          h('div', { class: 'insp-title' }, h('span', { class: 'kind' }, 'Conversion'), h('span', { class: 'insp-id' }, id), statusPill(str(c.touch_status))),
          h('dl', { class: 'kv' },
            h('dt', {}, 'person_key'), h('dd', {}, h('button', { class: 'linkish', title: 'Show this person', onclick: () => {
              picked = `person:${person}`;
              paintList();
              void showPerson(person);
            } }, person), h('span', { class: 'note' }, ` · ${ident}`)),
            h('dt', {}, 'time'), h('dd', {}, utc(convUs)),
            h('dt', {}, 'value · kind'), h('dd', {}, `${fmtMoney(numv(c.value))} · ${str(c.conversion_kind)}`),
            h('dt', {}, 'touches'), h('dd', {}, `${fmtNum(numv(c.touches))} in the lookback, ${fmtNum(numv(c.credited))} credited (non-direct)`),
            h('dt', {}, 'lookback'), h('dd', {}, `${fmtNum(lookbackUs / DAY_US)} days: from ${utc(convUs - lookbackUs)}`))),
        section('Timeline', timelineEl),
        section(`Touches (${touches.length})`, touchTable(touches),
          h('p', { class: 'note' }, 'Sessions of this person up to the conversion, from twice the lookback before. Only non-direct sessions inside the lookback are credited; utm and click ids are those of the event that gave the session its channel.')),
        section('Credit by model', explanations.length ? h('div', { class: 'insp-models' }, explanations.map((e) => modelBlock(e, byModel.get(e.model) ?? {}))) : h('p', { class: 'note' }, 'The run had no models.')),
        rejects);
      detail.scrollTop = keepScroll ? scroll : 0;
      redraw = () => void drawTimeline(timelineEl, touches, convUs, lookbackUs, numv(c.value), my);
      redraw();
    } catch (e) {
      if (my === seq) replace(detail, h('div', { class: 'error-box' }, (e as Error).message.split('\n')[0]));
    }
  };

  const touchTable = (rows: Row[]) => {
    if (!rows.length) return h('p', { class: 'note' }, 'No session of this person before the conversion.');
    // whether a touch counted comes right after its channel: the table is wider than the panel, and
    // what scrolls out of view should be the detail (utm, click ids, session), not the answer
    const cols = ['#', 'time (UTC)', 'channel', 'credited', 'in lookback', 'days before', 'source', 'medium', 'campaign', 'click ids', 'session'];
    return h('div', { class: 'insp-scroll' }, h('table', { class: 'simple insp-touches' },
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { class: c === '#' || c === 'days before' ? 'num' : '' }, c)))),
      h('tbody', {}, rows.map((r) => {
        const credited = r.i !== null && r.i !== undefined;
        const inside = r.in_lookback === true;
        const why = credited ? `yes · #${numv(r.i)} of ${numv(r.n)}` : str(r.channel) === 'direct' ? 'no · direct' : inside ? 'no' : 'no · before the lookback';
        return h('tr', {
          class: credited ? 'credited' : 'muted',
          'data-testid': 'touch-row',
          'data-session': str(r.session_key),
          'data-channel': str(r.channel),
          'data-credited': credited ? 'true' : 'false',
          'data-i': credited ? String(numv(r.i)) : '',
        },
        h('td', { class: 'num' }, credited ? String(numv(r.i)) : ''),
        h('td', {}, utc(numv(r.touch_us))),
        h('td', {}, h('span', { class: 'pill' }, str(r.channel))),
        h('td', { class: credited ? 'ok-text' : '', 'data-testid': 'touch-credited' }, why),
        h('td', {}, inside ? 'yes' : 'no'),
        h('td', { class: 'num' }, fmtDays(numv(r.days_before))),
        h('td', {}, str(r.utm_source)), h('td', {}, str(r.utm_medium)), h('td', { class: 'clip', title: str(r.utm_campaign) }, str(r.utm_campaign)),
        h('td', { class: 'mono clip', title: str(r.click_ids) }, str(r.click_ids)),
        h('td', { class: 'mono clip', title: str(r.session_key) }, str(r.session_key)));
      }))));
  };

  const modelBlock = (e: Explanation, credits: Record<string, number>) => {
    const check = checkCredits(e, credits);
    const badge = !e.reproducible
      ? h('span', { class: 'insp-badge info', 'data-testid': 'explain-status', 'data-ok': 'n/a' }, 'from the credits table')
      : check.ok
        ? h('span', { class: 'insp-badge ok', 'data-testid': 'explain-status', 'data-ok': 'true', title: `largest |explained − credits| ${check.maxDiff.toExponential(1)}` }, '✓ reproduces the credits table')
        : h('span', { class: 'insp-badge bad', 'data-testid': 'explain-status', 'data-ok': 'false' }, icon('warn'), ` differs from the credits table by up to ${fmtNum(check.maxDiff, 10)}`);
    const hasRole = e.touches.some((t) => t.role);
    const touchRows = e.touches.length
      ? h('table', { class: 'simple' },
        h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, 'channel'), h('th', { class: 'num' }, 'days before'), hasRole ? h('th', {}, 'position') : null,
          h('th', { class: 'num' }, e.model === 'time_decay' ? 'weight 2^(−d/h)' : 'weight'), h('th', { class: 'num' }, 'share'))),
        h('tbody', {}, e.touches.map((t) => h('tr', { 'data-testid': 'explain-touch', 'data-model': e.model, 'data-i': String(t.i), 'data-share': String(t.share) },
          h('td', { class: 'num' }, String(t.i)), h('td', {}, t.channel), h('td', { class: 'num' }, fmtDays(t.days_before)),
          hasRole ? h('td', {}, t.role ?? '') : null,
          h('td', { class: 'num' }, fmtShare(t.weight)), h('td', { class: 'num' }, fmtShare(t.share))))))
      : e.channelWeights.length
        ? h('table', { class: 'simple' },
          h('thead', {}, h('tr', {}, h('th', {}, 'channel'), h('th', { class: 'num' }, e.model === 'markov' ? 'removal effect' : 'weight'), h('th', { class: 'num' }, 'share'))),
          h('tbody', {}, e.channelWeights.map((w) => h('tr', {}, h('td', {}, w.channel), h('td', { class: 'num' }, fmtShare(w.weight)), h('td', { class: 'num' }, fmtShare(w.share))))))
        : null;
    const checkTable = h('table', { class: 'simple insp-check' },
      h('thead', {}, h('tr', {}, h('th', {}, 'channel'), h('th', { class: 'num' }, 'explained'), h('th', { class: 'num', title: 'the credits table of the run' }, 'credits'), h('th', { class: 'num' }, '|Δ|'), h('th', {}, h('span', { class: 'sr-only' }, 'reproduced')))),
      h('tbody', {}, check.rows.map((r) => h('tr', {
        'data-testid': 'credit-check',
        'data-model': e.model,
        'data-channel': r.channel,
        'data-explained': r.explained === undefined ? '' : String(r.explained),
        'data-credit': String(r.credit),
      },
      h('td', {}, r.channel), h('td', { class: 'num' }, r.explained === undefined ? '—' : fmtShare(r.explained)), h('td', { class: 'num' }, fmtShare(r.credit)),
      h('td', { class: 'num' }, Number.isNaN(r.diff) ? '—' : r.diff === 0 ? '0' : r.diff.toExponential(1)),
      h('td', { class: r.explained === undefined ? '' : r.ok ? 'ok-text' : 'warn-text' }, r.explained === undefined ? '' : r.ok ? '✓' : '⚠')))),
      check.rows.length > 1 ? h('tfoot', {}, h('tr', {}, h('td', {}, 'Σ'),
        h('td', { class: 'num' }, e.reproducible ? fmtShare(check.rows.reduce((a, r) => a + (r.explained ?? 0), 0)) : '—'),
        h('td', { class: 'num' }, fmtShare(check.rows.reduce((a, r) => a + r.credit, 0))), h('td', {}), h('td', {}))) : null);
    return h('div', { class: 'insp-model', 'data-testid': 'explain-model', 'data-model': e.model },
      h('div', { class: 'insp-model-head' }, h('b', {}, e.model), badge),
      h('p', { class: 'note' }, e.formula),
      h('div', { class: 'insp-model-tables' }, touchRows, checkTable));
  };

  const drawTimeline = async (el: HTMLElement, touches: Row[], convUs: number, lookbackUs: number, value: number, my: number) => {
    if (!touches.length) return replace(el, h('p', { class: 'note' }, 'No session to draw: this conversion has no touch before it.'));
    const status = (r: Row) => (r.i !== null && r.i !== undefined ? 'credited' : str(r.channel) === 'direct' ? 'direct (not credited)' : r.in_lookback === true ? 'not credited' : 'before the lookback');
    const points = touches.map((r) => ({
      t: numv(r.touch_us) / 1000,
      channel: str(r.channel),
      status: status(r),
      when: utc(numv(r.touch_us)),
      days: `${numv(r.days_before).toFixed(2)} days before`,
      session: str(r.session_key),
    }));
    // direct last: it is never credited
    const channels = [...new Set(points.map((p) => p.channel))].sort((a, b) => Number(a === 'direct') - Number(b === 'direct'));
    const shapes: [string, string][] = [['credited', 'circle'], ['not credited', 'circle'], ['direct (not credited)', 'square'], ['before the lookback', 'cross']];
    const present = shapes.filter(([st]) => points.some((p) => p.status === st));
    const boundary = (convUs - lookbackUs) / 1000;
    const conv = convUs / 1000;
    const dark = deps.dark();
    // the theme's --accent and --warn (styles.css)
    const accent = dark ? '#6b9cff' : '#2a66d6';
    const warn = dark ? '#e0a640' : '#9a5b00';
    const neutral = dark ? '#b3bac7' : '#4a5366';
    const width = Math.max(320, (el.clientWidth || detail.clientWidth || 800) - 190);
    const x = { field: 't', type: 'temporal', scale: { type: 'utc' }, axis: { title: null, labelOverlap: true } };
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width,
      height: Math.max(70, channels.length * 30),
      layer: [
        { data: { values: [{ from: boundary, to: conv }] }, mark: { type: 'rect', color: accent, opacity: 0.07 }, encoding: { x: { ...x, field: 'from' }, x2: { field: 'to' } } },
        { data: { values: [{ t: boundary, label: `lookback start (−${fmtNum(lookbackUs / DAY_US)} d)` }] }, mark: { type: 'rule', color: warn, strokeDash: [5, 4], strokeWidth: 1.5 }, encoding: { x } },
        { data: { values: [{ t: boundary, label: `lookback start (−${fmtNum(lookbackUs / DAY_US)} d)` }] }, mark: { type: 'text', color: warn, align: 'left', baseline: 'top', dx: 4, dy: -20, fontSize: 10.5 }, encoding: { x, y: { value: 0 }, text: { field: 'label' } } },
        { data: { values: [{ t: conv, label: `conversion · ${fmtMoney(value)}` }] }, mark: { type: 'rule', color: accent, strokeWidth: 2 }, encoding: { x } },
        { data: { values: [{ t: conv, label: `conversion · ${fmtMoney(value)}` }] }, mark: { type: 'text', color: accent, align: 'right', baseline: 'top', dx: -6, dy: -20, fontSize: 10.5, fontWeight: 600 }, encoding: { x, y: { value: 0 }, text: { field: 'label' } } },
        { data: { values: [{ t: conv }] }, mark: { type: 'point', shape: 'diamond', size: 140, filled: true, color: accent, opacity: 1 }, encoding: { x, y: { value: 0 } } },
        // credited touches filled; the others drawn as outlines (2 px, nearly opaque), so they stay
        // visible on either theme's background while reading as "not counted"; direct, never
        // credited, in the theme's text grey rather than a dark channel colour that vanishes in dark
        ...[true, false].map((isCredited) => ({
          data: { values: points.filter((p) => (p.status === 'credited') === isCredited) },
          mark: { type: 'point', size: 120, filled: isCredited, strokeWidth: 2, opacity: isCredited ? 1 : 0.9 },
          encoding: {
            x,
            y: { field: 'channel', type: 'nominal', sort: channels, axis: { title: null } },
            color: { condition: { test: "datum.channel === 'direct'", value: neutral }, field: 'channel', type: 'nominal', legend: null },
            shape: { field: 'status', type: 'nominal', scale: { domain: present.map(([st]) => st), range: present.map(([, sh]) => sh) }, legend: isCredited ? { title: null, orient: 'bottom', symbolFillColor: neutral, symbolStrokeColor: neutral } : null },
            tooltip: [{ field: 'channel' }, { field: 'when', title: 'time' }, { field: 'days', title: 'before the conversion' }, { field: 'status' }, { field: 'session' }],
          },
        })),
      ],
      padding: { top: 24, left: 4, right: 8, bottom: 4 },
    } as unknown as VegaLiteSpec;
    const target = h('div', {});
    try {
      const r = await drawChart(target, spec, dark);
      if (my !== seq) return r.finalize();
      embed?.finalize();
      embed = r;
      replace(el, target);
    } catch (e) {
      if (my === seq) replace(el, h('div', { class: 'error-box' }, h('b', {}, 'Chart error'), ': ', (e as Error).message));
    }
  };

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void search(input.value), 220);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      window.clearTimeout(timer);
      void search(input.value);
    }
  });
  input.value = initial;
  input.focus();
  void search(initial);
  return {
    retheme: () => redraw?.(),
    refresh: () => {
      if (!overlay.isConnected) return;
      const [kind, ...rest] = (picked ?? '').split(':');
      const id = rest.join(':');
      void ready().then((ok) => {
        if (!ok) return;
        if (kind === 'conversion') void showConversion(id, true);
        else if (kind === 'person') void showPerson(id);
        else void search(input.value);
      });
    },
    close,
  };
}
