/**
 * Synthetic web-analytics event export for demos, tests and benchmarks.
 *
 *   npx tsx samples/generate.ts --events N --out DIR [--seed S] [--name NAME] [--formats csv,parquet]
 *
 * Writes DIR/NAME.csv and DIR/NAME.parquet (NAME defaults to `events_<N>`,
 * N abbreviated: 20k, 1m, 10m). Same arguments give byte-identical files:
 * everything comes from one seeded PRNG and no clock is read for the data.
 *
 * How it scales to 10M rows: people "arrive" in time order and each is
 * planned only as visit times and sizes; a visit's rows are made when the
 * visit starts. A min-heap keyed by (event_ts, event_id) holds the next row of
 * every person in flight, so the CSV comes out globally sorted while memory
 * stays O(people in flight). The CSV is streamed in ~1 MB chunks with
 * backpressure; DuckDB then turns it into Parquet in the same row order.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

// ---------------------------------------------------------------------------
// Public API

/** The CSV header, in file order. */
export const COLUMNS = [
  'event_id', 'event_ts', 'event_name', 'user_id', 'anon_id', 'session_id',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
  'referrer', 'page_url', 'gclid', 'fbclid', 'msclkid', 'revenue', 'currency',
] as const;

/** Seed used when none is given (the committed samples use it). */
export const DEFAULT_SEED = 20260101;

/** Output formats the generator can write. */
export type SampleFormat = 'csv' | 'parquet';

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Number of CSV data rows (exact, bad rows and duplicates included). */
  events: number;
  /** Output directory, created if missing. */
  outDir: string;
  /** PRNG seed; default {@link DEFAULT_SEED}. */
  seed?: number;
  /** Base file name without extension; default `events_<abbreviated N>`. */
  name?: string;
  /** Files to keep; default both. Parquet is always built from a CSV, which is discarded if not asked for. */
  formats?: SampleFormat[];
}

/** Counts describing a generated file (all over CSV data rows). */
export interface GenerateStats {
  seed: number;
  /** Data rows written (= options.events). */
  events: number;
  /** Distinct simulated people (a shared device's users count separately). */
  people: number;
  /** Visits (sessions) started. */
  visits: number;
  /** Rows with a non-empty session_id. */
  rowsWithSessionId: number;
  /** People for whom a user_id appears at least once. */
  loggedInPeople: number;
  /** Logged-in people whose user_id appears with two or more anon_ids. */
  crossDevicePeople: number;
  /** Household devices: anon_ids on which a second person's user_id appears. */
  sharedDevices: number;
  /** Purchase rows, duplicate copies excluded (negative-revenue ones included). */
  conversions: number;
  /** Sum of positive purchase revenue (EUR), duplicate copies excluded. */
  revenue: number;
  /** Purchases by people all of whose visits so far came in direct. */
  directOnlyConversions: number;
  /** Purchases that are the person's first event (no prior touch in the data). */
  touchlessConversions: number;
  /** Deliberately bad rows by kind; `total` is their sum. */
  badRows: {
    duplicateEventId: number;
    emptyTimestamp: number;
    invalidTimestamp: number;
    missingIdentity: number;
    negativeRevenue: number;
    total: number;
  };
  /** First and last valid event_ts. */
  firstTs: string;
  lastTs: string;
  csvBytes: number | null;
  parquetBytes: number | null;
  /** Wall times of the CSV phase, the Parquet phase and the whole run (not written to any file). */
  csvSeconds: number;
  parquetSeconds: number | null;
  seconds: number;
}

/** Result of {@link generate}; a path is null when that format was not requested. */
export interface GenerateResult {
  csvPath: string | null;
  parquetPath: string | null;
  stats: GenerateStats;
}

/** `20000` -> `20k`, `1000000` -> `1m`, `1500` -> `1.5k`, `1234` -> `1234`. */
export function abbreviateCount(n: number): string {
  for (const [unit, suffix] of [[1e6, 'm'], [1e3, 'k']] as const) {
    // One decimal at most, so names stay short and unambiguous.
    if (n >= unit && (n * 10) % unit === 0) return `${n / unit}${suffix}`;
  }
  return String(n);
}

/**
 * Writes the sample export and returns its paths and stats.
 * Deterministic: the same options give byte-identical files.
 */
export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  const t0 = performance.now();
  const events = opts.events;
  if (!Number.isInteger(events) || events < 1) throw new Error(`--events must be a positive integer, got ${events}`);
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${seed}`);
  const formats = new Set(opts.formats ?? ['csv', 'parquet']);
  const name = opts.name ?? `events_${abbreviateCount(events)}`;
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });

  const work = mkdtempSync(join(tmpdir(), 'attrib-samples-'));
  try {
    const csvPath = formats.has('csv') ? join(outDir, `${name}.csv`) : join(work, `${name}.csv`);
    const parquetPath = formats.has('parquet') ? join(outDir, `${name}.parquet`) : null;
    const gen = new Generator(events, seed);
    await gen.writeCsv(csvPath);
    const t1 = performance.now();
    if (parquetPath) await csvToParquet(csvPath, parquetPath, work);
    const t2 = performance.now();
    const stats = gen.stats;
    stats.csvSeconds = round2((t1 - t0) / 1000);
    stats.parquetSeconds = parquetPath ? round2((t2 - t1) / 1000) : null;
    stats.csvBytes = formats.has('csv') ? statSync(csvPath).size : null;
    stats.parquetBytes = parquetPath ? statSync(parquetPath).size : null;
    stats.seconds = round2((performance.now() - t0) / 1000);
    return { csvPath: formats.has('csv') ? csvPath : null, parquetPath, stats };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** One line for stderr. */
export function summaryLine(name: string, s: GenerateStats): string {
  const b = s.badRows;
  const mb = (x: number | null) => (x === null ? '' : x < 1e6 ? ` ${Math.round(x / 1e3)} kB` : ` ${(x / 1e6).toFixed(1)} MB`);
  return (
    `${name}: ${s.events} events, ${s.people} people, ${s.conversions} conversions, ` +
    `${b.total} bad rows (dup ${b.duplicateEventId}, ts-empty ${b.emptyTimestamp}, ts-invalid ${b.invalidTimestamp}, ` +
    `no-id ${b.missingIdentity}, neg-rev ${b.negativeRevenue}), ${s.seconds}s` +
    (s.parquetSeconds !== null ? ` (csv ${s.csvSeconds}s, parquet ${s.parquetSeconds}s)` : '') +
    (s.csvBytes !== null ? `, csv${mb(s.csvBytes)}` : '') +
    (s.parquetBytes !== null ? `, parquet${mb(s.parquetBytes)}` : '')
  );
}

// ---------------------------------------------------------------------------
// Parquet

const sqlStr = (s: string) => `'${s.replaceAll("'", "''")}'`;
const sqlIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

/**
 * CSV -> Parquet with DuckDB. Reading every column as text and casting here
 * keeps the types fixed (no sniffing surprises on 1000 vs 10M rows); the
 * ORDER BY on the reader's ordinal pins the CSV row order even though the
 * scan runs in parallel.
 */
async function csvToParquet(csvPath: string, parquetPath: string, tempDir: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', {
    // Large sorts may spill; keep that out of the working directory.
    temp_directory: join(tempDir, 'duckdb'),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  try {
    const cols = COLUMNS.map((c) => {
      // TRY_CAST: the deliberately bad rows ('' and 'not-a-date') become NULL.
      if (c === 'event_ts') return `TRY_CAST(event_ts AS TIMESTAMP) AS event_ts`;
      // Plain CAST on purpose: the generator never writes non-numeric revenue, so a failure is a bug.
      if (c === 'revenue') return `CAST(revenue AS DOUBLE) AS revenue`;
      return sqlIdent(c);
    });
    await conn.run(
      `COPY (
         SELECT ${cols.join(', ')}
         FROM read_csv(${sqlStr(csvPath)}, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"')
              WITH ORDINALITY AS src
         ORDER BY src.ordinality
       ) TO ${sqlStr(parquetPath)} (FORMAT parquet, ROW_GROUP_SIZE 122880, COMPRESSION zstd)`,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

// ---------------------------------------------------------------------------
// PRNG: sfc32 seeded through splitmix32. Its expected period (~2^127, never
// below 2^32 thanks to the counter) leaves room for the ~10^9 draws of a
// 10M-row file, where mulberry32's flat 2^32 would be uncomfortably close.

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** Index drawn from cumulative weights. */
  weighted(cum: readonly number[]): number {
    const r = this.next() * cum[cum.length - 1];
    let i = 0;
    while (cum[i] <= r) i++;
    return i;
  }
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  hex(chars: number): string {
    // Table lookups: Number#toString(16) was the top hot spot at 10M rows.
    let s = '';
    while (s.length < chars) {
      const u = this.u32();
      s += HEX2[u >>> 24] + HEX2[(u >>> 16) & 255] + HEX2[(u >>> 8) & 255] + HEX2[u & 255];
    }
    return s.length === chars ? s : s.slice(0, chars);
  }
  /** Click-id-like token (base64url alphabet). */
  token(chars: number): string {
    const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let s = '';
    for (let i = 0; i < chars; i++) s += A[this.u32() & 63];
    return s;
  }
}

const cumulative = (ws: readonly number[]) => {
  let t = 0;
  return ws.map((w) => (t += w));
};

// ---------------------------------------------------------------------------
// Time: 90 days from 2026-01-01 UTC, with a daily and weekly rhythm, slow
// growth and a spring sale, so charts over the sample look like real traffic.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 0, 1);
const END = START + 90 * DAY;
/** Arrivals stop two hours before the end so every visit (< 90 min) fits in the range. */
const ARRIVAL_HOURS = 90 * 24 - 2;
const SPRING_SALE = [START + 63 * DAY, START + 70 * DAY] as const;

const HOUR_WEIGHT = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.25, 0.45, 0.7, 0.85, 0.95, 1.0,
  1.0, 0.95, 0.95, 0.95, 1.0, 1.05, 1.15, 1.25, 1.3, 1.2, 0.9, 0.5,
];

function dayFactor(day: number): number {
  const dow = (4 + day) % 7; // 2026-01-01 is a Thursday; 0 = Sunday
  let f = dow === 0 || dow === 6 ? 0.88 : dow === 1 ? 1.06 : 1;
  f *= 1 + (0.25 * day) / 90;
  if (day === 0) f *= 0.6;
  if (day >= 63 && day < 70) f *= 1.4;
  return f;
}

const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** `YYYY-MM-DDT` of each day of the range plus a few after (late duplicates). */
const DAY_PREFIX = Array.from({ length: 92 }, (_, d) => new Date(START + d * DAY).toISOString().slice(0, 11));

/** Same text as `new Date(ts).toISOString()`, several times faster (a hot spot at 10M rows). */
function isoTs(ts: number): string {
  const off = ts - START;
  const d = Math.floor(off / DAY);
  if (d < 0 || d >= DAY_PREFIX.length) return new Date(ts).toISOString();
  let ms = off - d * DAY;
  const h = Math.floor(ms / HOUR);
  ms -= h * HOUR;
  const m = Math.floor(ms / 60000);
  ms -= m * 60000;
  const sec = Math.floor(ms / 1000);
  return `${DAY_PREFIX[d]}${PAD2[h]}:${PAD2[m]}:${PAD2[sec]}.${PAD3[ms - sec * 1000]}Z`;
}

/** Traffic intensity of an hour index since START. */
const hourIntensity = (h: number) => HOUR_WEIGHT[h % 24] * dayFactor(Math.floor(h / 24));
const MAX_INTENSITY = Math.max(...Array.from({ length: 90 * 24 }, (_, h) => hourIntensity(h)));

/** Cumulative intensity over the arrival window, for inverse-CDF arrivals. */
const ARRIVAL_CDF: Float64Array = (() => {
  const cdf = new Float64Array(ARRIVAL_HOURS + 1);
  for (let h = 0; h < ARRIVAL_HOURS; h++) cdf[h + 1] = cdf[h] + hourIntensity(h);
  return cdf;
})();

/** Maps u in [0, 1) to a time; monotone, so increasing u gives arrivals in time order. */
function arrivalTime(u: number): number {
  const target = u * ARRIVAL_CDF[ARRIVAL_HOURS];
  let lo = 0;
  let hi = ARRIVAL_HOURS;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ARRIVAL_CDF[mid] <= target) lo = mid;
    else hi = mid;
  }
  const frac = (target - ARRIVAL_CDF[lo]) / (ARRIVAL_CDF[lo + 1] - ARRIVAL_CDF[lo]);
  return START + Math.floor((lo + Math.min(frac, 0.999999)) * HOUR);
}

// ---------------------------------------------------------------------------
// Traffic

const SHOP = 'https://shop.example.com';
const PRODUCTS = [
  'trail-runner-3', 'road-glide-2', 'merino-socks', 'rain-shell-jacket', 'hiking-boot-gtx', 'running-cap',
  'compression-tights', 'daypack-22l', 'insulated-bottle', 'headlamp-400', 'base-layer-top', 'gaiters-short',
  'wool-beanie', 'running-vest-5l', 'recovery-slides',
];
const CATEGORIES = ['running', 'hiking', 'apparel', 'accessories', 'sale', 'new-arrivals'];
const BLOG = ['how-to-choose-trail-shoes', 'winter-running-tips', 'packing-list-day-hike', 'merino-vs-synthetic', 'marathon-training-plan'];

const DIRECT = 0;
const GOOGLE_CPC = 1;
const BING_CPC = 2;
const PAID_SOCIAL = 3;
const EMAIL = 4;
const AFFILIATE = 5;
const DISPLAY = 6;
const ORGANIC_SEARCH = 7;
const ORGANIC_SOCIAL = 8;
const REFERRAL = 9;
const URL_UTM_ONLY = 10;
const NOT_SET = 11;

/** Channel mix of a person's first visit and of returning visits (indexes = channel ids above). */
const FIRST_VISIT_MIX = cumulative([16, 16, 3, 9, 6, 4, 5, 20, 6, 6, 5, 4]);
const RETURN_VISIT_MIX = cumulative([34, 12, 2, 6, 14, 3, 3, 14, 4, 3, 3, 2]);

/** The first event of a visit carries these; later events carry none of them. */
interface Traffic {
  src: string;
  med: string;
  camp: string;
  content: string;
  term: string;
  ref: string;
  /** Landing path and query (query includes the utm / click ids the browser saw). */
  path: string;
  gclid: string;
  fbclid: string;
  msclkid: string;
}

const product = (r: Rng) => `/products/${r.pick(PRODUCTS)}`;
const category = (r: Rng) => `/category/${r.pick(CATEGORIES)}`;
const blog = (r: Rng) => `/blog/${r.pick(BLOG)}`;

function query(params: [string, string][]): string {
  const kept = params.filter(([, v]) => v !== '');
  return kept.length ? '?' + kept.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&') : '';
}

function isoWeek(t: number): number {
  const d = new Date(t);
  const dayNum = d.getUTCDay() || 7;
  // The ISO week belongs to the year of its Thursday.
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 4 - dayNum);
  const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return Math.ceil(((thursday - yearStart) / DAY + 1) / 7);
}

const inSale = (t: number) => t >= SPRING_SALE[0] && t < SPRING_SALE[1];

function blankTraffic(path: string): Traffic {
  return { src: '', med: '', camp: '', content: '', term: '', ref: '', path, gclid: '', fbclid: '', msclkid: '' };
}

/** The utm columns as they appear in the landing URL. */
function utmQuery(x: Traffic, extra: [string, string][] = []): string {
  return query([
    ['utm_source', x.src], ['utm_medium', x.med], ['utm_campaign', x.camp],
    ['utm_content', x.content], ['utm_term', x.term], ...extra,
  ]);
}

function makeTraffic(r: Rng, ch: number, t: number): Traffic {
  switch (ch) {
    case GOOGLE_CPC: {
      const x = blankTraffic(r.chance(0.6) ? product(r) : category(r));
      x.ref = 'https://www.google.com/';
      x.gclid = r.chance(0.8) ? 'Cj0KCQiA' + r.token(40) : '';
      if (r.chance(0.08) && x.gclid) {
        // Auto-tagging only: no utm at all, just the click id.
        x.path += query([['gclid', x.gclid]]);
        return x;
      }
      x.src = 'google';
      x.med = 'cpc';
      x.camp = inSale(t) && r.chance(0.4) ? 'spring_sale_search' : r.pick(['brand_search', 'generic_shoes', 'pmax_all', 'competitor_terms']);
      x.content = r.pick(['rsa_1', 'rsa_2', 'ad_a', 'ad_b']);
      // Quoted phrase-match terms and terms with commas exercise CSV quoting.
      x.term = r.pick(['trail running shoes', 'shop example', '"waterproof hiking boots"', 'running shoes, women', 'merino socks', '']);
      x.path += utmQuery(x, [['gclid', x.gclid]]);
      return x;
    }
    case BING_CPC: {
      const x = blankTraffic(r.chance(0.5) ? product(r) : category(r));
      x.ref = 'https://www.bing.com/';
      x.src = 'bing';
      x.med = 'cpc';
      x.camp = r.pick(['brand_search', 'generic_shoes']);
      x.term = r.pick(['hiking boots', 'shop example', 'trail shoes']);
      x.msclkid = r.chance(0.85) ? r.hex(32) : '';
      x.path += utmQuery(x, [['msclkid', x.msclkid]]);
      return x;
    }
    case PAID_SOCIAL: {
      const ig = r.chance(0.4);
      const x = blankTraffic(r.chance(0.7) ? product(r) : '/landing/spring-sale');
      x.src = ig ? 'instagram' : 'facebook';
      x.med = 'paid_social';
      x.camp = inSale(t) && r.chance(0.5) ? 'spring_sale_social' : r.pick(['prospecting_broad', 'retargeting_30d', 'lookalike_buyers']);
      x.content = r.pick(['video_15s', 'carousel', 'static, blue', 'static, green']);
      x.fbclid = r.chance(0.92) ? 'IwAR' + r.token(52) : '';
      x.ref = r.chance(0.7) ? (ig ? 'https://l.instagram.com/' : 'https://l.facebook.com/') : '';
      x.path += utmQuery(x, [['fbclid', x.fbclid]]);
      return x;
    }
    case EMAIL: {
      const x = blankTraffic(r.pick(['/', '/landing/spring-sale', '/category/sale', product(r)]));
      x.src = r.pick(['newsletter', 'newsletter', 'newsletter_weekly', 'crm']);
      // Case and whitespace variants real ESP exports produce.
      x.med = ['email', 'Email', ' email ', 'EMAIL'][r.weighted(cumulative([70, 15, 10, 5]))];
      x.camp = inSale(t) && r.chance(0.5)
        ? r.pick(['spring_sale_launch', 'Spring_Sale_Launch', 'spring_sale_last_call'])
        : r.pick([`weekly_digest_2026_w${String(isoWeek(t)).padStart(2, '0')}`, 'cart_reminder', 'welcome_series']);
      x.content = r.pick(['hero_button', 'footer_link', 'product_grid']);
      x.ref = r.chance(0.2) ? 'https://mail.google.com/' : '';
      x.path += utmQuery(x);
      return x;
    }
    case AFFILIATE: {
      const partner = r.pick([
        ['awin', 'https://www.trailblog.example.org/best-trail-shoes'],
        ['partnerize', 'https://www.gearhub.example.net/deals'],
        ['couponfollow', 'https://couponfollow.example.com/site/shop.example.com'],
      ]);
      const x = blankTraffic(product(r));
      x.src = partner[0];
      x.med = 'affiliate';
      x.camp = r.pick(['affiliate_always_on', 'cashback']);
      x.content = `pub_${1000 + r.int(40)}`;
      x.ref = partner[1];
      x.path += utmQuery(x);
      return x;
    }
    case DISPLAY: {
      const x = blankTraffic(r.pick([product(r), category(r), '/landing/spring-sale']));
      x.src = r.pick(['gdn', 'criteo', 'taboola']);
      x.med = r.chance(0.65) ? 'display' : 'cpm';
      x.camp = r.pick(['remarketing_display', 'awareness_q1']);
      x.content = r.pick(['300x250', '728x90', '160x600']);
      if (x.src === 'gdn' && r.chance(0.5)) x.gclid = 'EAIaIQob' + r.token(40);
      x.ref = r.pick(['https://googleads.g.doubleclick.net/', 'https://www.weather.example.com/', '']);
      x.path += utmQuery(x, [['gclid', x.gclid]]);
      return x;
    }
    case ORGANIC_SEARCH: {
      const x = blankTraffic(r.pick([product(r), product(r), blog(r), '/']));
      x.ref = ['https://www.google.com/', 'https://www.bing.com/', 'https://duckduckgo.com/'][r.weighted(cumulative([75, 15, 10]))];
      return x;
    }
    case ORGANIC_SOCIAL: {
      const x = blankTraffic(r.pick([blog(r), product(r)]));
      x.ref = r.pick(['https://www.facebook.com/', 'https://m.facebook.com/', 'https://t.co/', 'https://www.linkedin.com/', 'https://lnkd.in/']);
      return x;
    }
    case REFERRAL: {
      const x = blankTraffic(r.pick([product(r), blog(r)]));
      x.ref = r.pick([
        'https://www.runnersworld-blog.example/best-trail-shoes-2026',
        'https://gearreview.example.net/merino-socks-test',
        'https://www.reddit.com/r/trailrunning/',
        'https://hikingforum.example.org/thread/1234',
      ]);
      return x;
    }
    case URL_UTM_ONLY: {
      // Tagged link, but the tracker did not split the query into utm columns.
      const v = r.int(4);
      const x = blankTraffic('');
      if (v === 0) x.path = '/landing?utm_source=newsletter&utm_medium=email&utm_campaign=spring';
      else if (v === 1) x.path = `${product(r)}?utm_source=facebook&utm_medium=paid_social&utm_campaign=retargeting_30d`;
      else if (v === 2) x.path = `${category(r)}?utm_source=partner_blog&utm_medium=referral&utm_campaign=spring`;
      else x.path = `${product(r)}?UTM_SOURCE=Newsletter&UTM_MEDIUM=Email&utm_campaign=welcome_series`;
      if (v === 1) x.ref = 'https://l.facebook.com/';
      return x;
    }
    case NOT_SET: {
      const v = r.int(3);
      const x = blankTraffic(r.pick(['/', product(r)]));
      if (v === 0) {
        x.src = '(direct)';
        x.med = '(none)';
        x.camp = '(not set)';
      } else if (v === 1) {
        x.src = 'google';
        x.med = 'cpc';
        x.camp = '(not set)';
        x.gclid = 'Cj0KCQiA' + r.token(40);
        x.ref = 'https://www.google.com/';
        x.path += query([['gclid', x.gclid]]);
      } else {
        x.src = '(not set)';
        x.med = '(not set)';
        x.camp = '(not set)';
        x.ref = 'https://www.reddit.com/';
      }
      return x;
    }
    default:
      return blankTraffic(r.pick(['/', '/', '/', product(r), '/account']));
  }
}

// ---------------------------------------------------------------------------
// People, visits, rows

interface VisitPlan {
  t: number;
  n: number;
  conv: boolean;
  neg: boolean;
  dev: number;
  ch: number;
}

/** A row of the export; also a heap entry when it is a scheduled duplicate. */
interface Row {
  kind: 'row';
  ts: number;
  id: string;
  name: string;
  user: string;
  anon: string;
  session: string;
  tr: Traffic | null;
  url: string;
  ref: string;
  revenue: string;
  dev: number;
  person: Person;
}

/** A person in flight; heap key is their next row's (ts, id). */
interface Person {
  kind: 'person';
  ts: number;
  id: string;
  visits: VisitPlan[];
  vi: number;
  queue: Row[];
  qi: number;
  anon: string[];
  userId: string;
  loginVisit: number;
  loggedMask: number;
  everLoggedIn: boolean;
  touchless: boolean;
  shared: boolean;
  allDirect: boolean;
  // stats bookkeeping
  userSeen: boolean;
  userAnonMask: number;
  crossCounted: boolean;
  sharedCounted: boolean;
}

type Entry = Person | Row;

const before = (a: Entry, b: Entry) => a.ts < b.ts || (a.ts === b.ts && a.id < b.id);

/** Binary min-heap on (ts, id). */
class Heap {
  private a: Entry[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Entry | undefined {
    return this.a[0];
  }
  push(e: Entry): void {
    const a = this.a;
    let i = a.length;
    a.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, a[p])) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = e;
  }
  /** Removes the top, or replaces it with `e` (cheaper than pop + push). */
  replaceTop(e?: Entry): void {
    const a = this.a;
    const last = a.pop()!;
    if (e === undefined) {
      if (a.length === 0) return;
      e = last;
    } else if (a.length === 0) {
      a.push(e);
      return;
    } else {
      a.push(last);
    }
    const n = a.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && before(a[l + 1], a[l]) ? l + 1 : l;
      if (!before(a[c], e)) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = e;
  }
}

const VISITS_PER_PERSON = cumulative([52, 20, 10, 6, 4, 2, 1.5, 1.2, 1, 0.8, 0.8, 0.7]); // 1..12
const EVENTS_PER_VISIT = cumulative([30, 20, 15, 12, 9, 6, 5, 3]); // 1..8
const DEVICES = cumulative([68, 24, 8]); // 1..3
const NEGATIVE_REVENUE = ['-10.00', '-24.90', '-59.99'];

/** Row-level bad kinds; negative revenue is planned with the visit instead. */
const DUP = 0;
const TS_EMPTY = 1;
const TS_INVALID = 2;
const NO_ID = 3;

const QUOTE_NEEDED = /[",\r\n]/;
const csv = (s: string) => (QUOTE_NEEDED.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s);
const stripQuery = (url: string) => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

class Generator {
  private readonly r: Rng;
  private readonly heap = new Heap();
  /** Rows from people; the rest of `events` are duplicate copies. */
  private readonly originals: number;
  private readonly perKind: number;
  private planned = 0;
  private emittedOriginals = 0;
  private userCounter = 100000;
  private orderCounter = 500000;
  /**
   * Devices that have already shown a user_id: candidates for a shared
   * (household) device. Filled at emission so the second login on it is
   * certain to come after the first.
   */
  private readonly sharedPool: string[] = [];
  private readonly badKinds: number[];
  private badIndex = 0;
  private negPlanned = 0;
  private touchlessPlanned = 0;
  private directOnlyPlanned = 0;
  private sharedPlanned = 0;
  private firstTs = Infinity;
  private lastTs = -Infinity;
  readonly stats: GenerateStats;

  constructor(private readonly events: number, seed: number) {
    this.r = new Rng(seed);
    // ~0.1% bad rows over five kinds, but at least one of each from 100 rows up.
    this.perKind = events >= 100 ? Math.max(1, Math.round((events * 0.001) / 5)) : 0;
    this.originals = events - this.perKind;
    // Which row-level kind each selected row gets, shuffled so kinds interleave.
    const kinds: number[] = [];
    for (let k = 0; k < this.perKind; k++) kinds.push(DUP, TS_EMPTY, TS_INVALID, NO_ID);
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = this.r.int(i + 1);
      [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
    }
    this.badKinds = kinds;
    this.stats = {
      seed, events, people: 0, visits: 0, rowsWithSessionId: 0, loggedInPeople: 0, crossDevicePeople: 0,
      sharedDevices: 0, conversions: 0, revenue: 0, directOnlyConversions: 0, touchlessConversions: 0,
      badRows: { duplicateEventId: 0, emptyTimestamp: 0, invalidTimestamp: 0, missingIdentity: 0, negativeRevenue: 0, total: 0 },
      firstTs: '', lastTs: '', csvBytes: null, parquetBytes: null, csvSeconds: 0, parquetSeconds: null, seconds: 0,
    };
  }

  /**
   * Streams the CSV in 1 MB chunks; the only awaits are on backpressure.
   * Rows are encoded straight into a Buffer: handing the stream one long
   * concatenated string cost a quarter of the run in string flattening.
   */
  async writeCsv(path: string): Promise<void> {
    const out = createWriteStream(path);
    const closed = new Promise<void>((res, rej) => {
      out.on('close', res);
      out.on('error', rej);
    });
    let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = chunk.write(COLUMNS.join(',') + '\n');
    const heap = this.heap;
    let nextArrival = this.nextArrival();
    for (;;) {
      const top = heap.peek();
      if (this.planned < this.originals && (top === undefined || nextArrival <= top.ts)) {
        const p = this.planPerson(nextArrival);
        this.schedule(p);
        heap.push(p);
        nextArrival = this.nextArrival();
        continue;
      }
      if (top === undefined) break;
      const line = this.emit(top);
      // 3 bytes per UTF-16 unit is the UTF-8 worst case, so the line always fits.
      if (CHUNK_BYTES - used < line.length * 3) {
        await write(out, chunk.subarray(0, used));
        chunk = Buffer.allocUnsafe(CHUNK_BYTES); // the stream may still hold the old one
        used = 0;
      }
      used += chunk.write(line, used);
    }
    if (used) await write(out, chunk.subarray(0, used));
    out.end();
    await closed;
    const s = this.stats;
    s.badRows.total = s.badRows.duplicateEventId + s.badRows.emptyTimestamp + s.badRows.invalidTimestamp +
      s.badRows.missingIdentity + s.badRows.negativeRevenue;
    s.revenue = Math.round(s.revenue * 100) / 100;
    s.firstTs = Number.isFinite(this.firstTs) ? new Date(this.firstTs).toISOString() : '';
    s.lastTs = Number.isFinite(this.lastTs) ? new Date(this.lastTs).toISOString() : '';
  }

  /** Arrival of the next person: the share of the row budget already planned, mapped through the traffic curve. */
  private nextArrival(): number {
    if (this.planned >= this.originals) return Infinity;
    // Jitter < 1 row keeps arrivals monotone (planned grows by >= 1 per person).
    return arrivalTime((this.planned + this.r.next()) / this.originals);
  }

  private newPerson(): Person {
    return {
      kind: 'person', ts: 0, id: '', visits: [], vi: 0, queue: [], qi: 0, anon: [], userId: '', loginVisit: -1,
      loggedMask: 0, everLoggedIn: false, touchless: false, shared: false, allDirect: true,
      userSeen: false, userAnonMask: 0, crossCounted: false, sharedCounted: false,
    };
  }

  private visitSize(): number {
    return 1 + this.r.weighted(EVENTS_PER_VISIT);
  }

  /**
   * Plans a person's visits (times, sizes, channels, devices) without making
   * rows yet. Rare cases the spec guarantees (touch-less and direct-only
   * purchases, shared devices, negative revenue) are forced at fixed shares
   * of the budget when chance has not produced them, so even 1000 rows hold
   * every case.
   */
  private planPerson(arrival: number): Person {
    const r = this.r;
    const p = this.newPerson();
    const remaining = this.originals - this.planned;
    const frac = this.planned / this.originals;
    const big = this.originals >= 500;
    const negDue = this.perKind > 0 && this.negPlanned < this.perKind && frac >= ((this.negPlanned + 0.5) / this.perKind) * 0.9;

    let special: 'touchless' | 'direct' | 'shared' | 'neg' | '' = '';
    if (negDue) special = 'neg';
    else if (big && this.touchlessPlanned === 0 && frac >= 0.45) special = 'touchless';
    else if (big && this.directOnlyPlanned === 0 && frac >= 0.55) special = 'direct';
    else if (big && this.sharedPlanned === 0 && frac >= 0.35 && this.sharedPool.length) special = 'shared';
    else if (r.chance(0.002)) special = 'touchless';

    const devices = special === 'touchless' ? 1 : 1 + r.weighted(DEVICES);
    for (let d = 0; d < devices; d++) p.anon.push('a_' + r.hex(16));

    if (special === 'touchless') {
      // Server-side order with no browsing in the data; half carry no device at all.
      p.touchless = true;
      p.userId = 'u_' + ++this.userCounter;
      if (r.chance(0.5)) p.anon[0] = '';
      p.visits.push({ t: arrival, n: 1, conv: true, neg: false, dev: 0, ch: DIRECT });
      this.touchlessPlanned++;
    } else if (special === 'neg' || special === 'direct') {
      const ch = special === 'direct' ? DIRECT : r.weighted(FIRST_VISIT_MIX);
      p.visits.push({ t: arrival, n: 4 + r.int(3), conv: true, neg: special === 'neg', dev: 0, ch });
      if (special === 'neg') this.negPlanned++;
    } else {
      const nVisits = 1 + r.weighted(VISITS_PER_PERSON);
      let t = arrival;
      for (let v = 0; v < nVisits; v++) {
        if (v > 0) {
          t = this.nextVisitTime(t);
          if (t > END - 2 * HOUR) break;
        }
        const conv = r.chance(v === 0 ? 0.016 : 0.04);
        const n = conv ? Math.max(4, this.visitSize()) : this.visitSize();
        const dev = v === 0 || devices === 1 || r.chance(0.55) ? 0 : 1 + r.int(devices - 1);
        const ch = r.weighted(v === 0 ? FIRST_VISIT_MIX : RETURN_VISIT_MIX);
        p.visits.push({ t, n, conv, neg: false, dev, ch });
      }
    }

    // Fit the exact row budget: the last person planned is cut short.
    let total = 0;
    for (let v = 0; v < p.visits.length; v++) {
      const vp = p.visits[v];
      if (total + vp.n > remaining) {
        vp.n = remaining - total;
        if (vp.n < 4) vp.conv = vp.neg = false;
        p.visits.length = vp.n > 0 ? v + 1 : v;
        if (vp.n <= 0) break;
      }
      total += vp.n;
    }
    this.planned += total;

    if (!p.touchless && p.visits.some((v) => v.conv) && p.visits.every((v) => v.ch === DIRECT)) this.directOnlyPlanned++;

    // Login: ~35% of people, at some visit, earlier if they buy.
    const loginer = special === 'shared' || (special !== 'touchless' && r.chance(0.35));
    if (!p.touchless && loginer && p.visits.length) {
      p.userId = 'u_' + ++this.userCounter;
      p.loginVisit = r.int(p.visits.length);
      const firstConv = p.visits.findIndex((v) => v.conv);
      if (firstConv >= 0 && firstConv < p.loginVisit && r.chance(0.7)) p.loginVisit = firstConv;
      if (special === 'shared' || (this.sharedPool.length > 0 && r.chance(0.008))) {
        // Household device: this person's first device is another logged-in person's.
        p.anon[0] = r.pick(this.sharedPool);
        p.shared = true;
        p.loginVisit = 0;
        this.sharedPlanned++;
      }
    }
    this.stats.people++;
    return p;
  }

  /** Hours to days after `t`, biased toward busy hours of the day. */
  private nextVisitTime(t: number): number {
    const r = this.r;
    let cand = t;
    for (let i = 0; i < 8; i++) {
      const gapH = Math.min(25 * 24, Math.max(1.5, r.lognormal(20, 1.3)));
      cand = t + Math.floor(gapH * HOUR);
      const h = Math.floor((cand - START) / HOUR);
      if (h >= 90 * 24 || r.next() * MAX_INTENSITY < hourIntensity(h)) break;
    }
    return cand;
  }

  /**
   * Keys the person on their next visit's first row without making the rows:
   * only the event id is drawn now (the heap orders on it). Rows are made when
   * the visit starts, so people waiting days between visits cost a few bytes.
   */
  private schedule(p: Person): void {
    p.ts = p.visits[p.vi].t;
    p.id = 'e_' + this.r.hex(16);
    p.queue = NO_ROWS;
    p.qi = 0;
  }

  /** Makes the rows of the person's scheduled visit; the first row keeps the scheduled key. */
  private expandVisit(p: Person): void {
    const r = this.r;
    const v = p.visits[p.vi];
    const visitIndex = p.vi++;
    this.stats.visits++;
    if (v.ch !== DIRECT) p.allDirect = false;
    p.queue = [];
    p.qi = 0;

    if (p.touchless) {
      const order = ++this.orderCounter;
      p.queue.push(this.row(p, v.t, 'purchase', p.userId, p.anon[0], '', null,
        `${SHOP}/checkout/confirmation?order=${order}`, '', this.revenue(), 0));
      return;
    }

    const anon = p.anon[v.dev];
    const tr = makeTraffic(r, v.ch, v.t);
    // ~60% of rows carry the session id: whole visits, none, or a patchy half.
    const mode = r.weighted(SESSION_MODES);
    const session = mode === 2 ? '' : 's_' + r.hex(12);

    // From which event of this visit user_id is set (n = never).
    let loginAt = v.n;
    let signUpAt = -1;
    if (p.userId) {
      const bit = 1 << v.dev;
      const at = v.n > 1 ? 1 + r.int(v.n - 1) : 0;
      if (p.loggedMask & bit) loginAt = 0;
      else if (!p.everLoggedIn && visitIndex >= p.loginVisit) {
        loginAt = at;
        if (r.chance(0.5)) signUpAt = at;
      } else if (p.everLoggedIn && r.chance(0.6)) loginAt = at;
      if (loginAt < v.n) {
        p.loggedMask |= bit;
        p.everLoggedIn = true;
      }
    }

    const names: string[] = [];
    if (v.conv) {
      for (let i = 0; i < v.n - 3; i++) names.push('page_view');
      names.push('add_to_cart', 'begin_checkout', 'purchase');
    } else {
      for (let i = 0; i < v.n; i++) names.push('page_view');
      if (v.n >= 2 && r.chance(0.12)) {
        const i = 1 + r.int(v.n - 1);
        names[i] = 'add_to_cart';
        if (i + 1 < v.n && r.chance(0.4)) names[i + 1] = 'begin_checkout';
      }
    }
    if (signUpAt >= 0 && names[signUpAt] === 'page_view') names[signUpAt] = 'sign_up';

    let t = v.t;
    let url = SHOP + tr.path;
    let ref = tr.ref;
    for (let i = 0; i < v.n; i++) {
      const name = names[i];
      if (i > 0) {
        const gapS = name === 'purchase' ? 30 + r.int(150) : Math.min(600, 2 + r.lognormal(35, 0.9));
        t += Math.floor(gapS * 1000) + r.int(1000);
        const prev = stripQuery(url);
        if (name === 'page_view' || name === 'sign_up') {
          ref = prev;
          url = name === 'sign_up' ? `${SHOP}/account/register` : SHOP + r.pick(NEXT_PAGES)(r);
        } else if (name === 'add_to_cart') {
          if (!prev.includes('/products/')) {
            ref = prev;
            url = SHOP + product(r);
          }
        } else if (name === 'begin_checkout') {
          ref = `${SHOP}/cart`;
          url = `${SHOP}/checkout`;
        } else if (name === 'purchase') {
          ref = `${SHOP}/checkout`;
          url = `${SHOP}/checkout/confirmation?order=${++this.orderCounter}`;
        }
      }
      const user = i >= loginAt ? p.userId : '';
      const sid = mode === 1 && r.chance(0.5) ? '' : session;
      const revenue = name === 'purchase' ? (v.neg ? r.pick(NEGATIVE_REVENUE) : this.revenue()) : '';
      p.queue.push(this.row(p, t, name, user, anon, sid, i === 0 ? tr : null, url, ref, revenue, v.dev));
    }
  }

  private revenue(): string {
    return Math.min(400, Math.max(20, this.r.lognormal(70, 0.6))).toFixed(2);
  }

  private row(p: Person, ts: number, name: string, user: string, anon: string, session: string,
    tr: Traffic | null, url: string, ref: string, revenue: string, dev: number): Row {
    // The visit's first row takes the id the person was scheduled under.
    const id = p.queue.length === 0 ? p.id : 'e_' + this.r.hex(16);
    return { kind: 'row', ts, id, name, user, anon, session, tr, url, ref, revenue, dev, person: p };
  }

  /** Pops the heap top, writes it as a CSV line and advances its person. */
  private emit(top: Entry): string {
    const heap = this.heap;
    const s = this.stats;
    if (top.kind === 'row') {
      // A scheduled duplicate: exact copy of an earlier row, later timestamp.
      heap.replaceTop();
      return this.render(top, isoTs(top.ts), top.user, top.anon);
    }
    const p = top;
    if (p.qi >= p.queue.length) this.expandVisit(p);
    const row = p.queue[p.qi++];
    if (p.qi < p.queue.length) {
      p.ts = p.queue[p.qi].ts;
      p.id = p.queue[p.qi].id;
      heap.replaceTop(p);
    } else if (p.vi < p.visits.length) {
      this.schedule(p);
      heap.replaceTop(p);
    } else {
      p.queue = NO_ROWS;
      heap.replaceTop();
    }

    // Row-level faults: selection sampling (Knuth's algorithm S) picks exactly
    // badKinds.length of the original rows, spread evenly in expectation.
    let tsText = isoTs(row.ts);
    let user = row.user;
    let anon = row.anon;
    const left = this.badKinds.length - this.badIndex;
    if (left > 0 && this.r.next() * (this.originals - this.emittedOriginals) < left) {
      switch (this.badKinds[this.badIndex++]) {
        case DUP: {
          const copy: Row = { ...row, ts: row.ts + 1000 + this.r.int(300_000) };
          heap.push(copy);
          s.badRows.duplicateEventId++;
          break;
        }
        case TS_EMPTY:
          tsText = '';
          s.badRows.emptyTimestamp++;
          break;
        case TS_INVALID:
          tsText = 'not-a-date';
          s.badRows.invalidTimestamp++;
          break;
        default:
          user = anon = '';
          s.badRows.missingIdentity++;
      }
    }
    this.emittedOriginals++;

    if (tsText) {
      if (row.ts < this.firstTs) this.firstTs = row.ts;
      if (row.ts > this.lastTs) this.lastTs = row.ts;
    }
    if (row.session) s.rowsWithSessionId++;
    if (row.name === 'purchase') {
      s.conversions++;
      const rev = Number(row.revenue);
      if (rev < 0) s.badRows.negativeRevenue++;
      else s.revenue += rev;
      if (p.touchless) s.touchlessConversions++;
      else if (p.allDirect) s.directOnlyConversions++;
    }
    if (row.user) {
      if (!p.userSeen) {
        p.userSeen = true;
        s.loggedInPeople++;
        if (row.anon && !p.shared) {
          if (this.sharedPool.length >= 64) this.sharedPool[this.r.int(64)] = row.anon;
          else this.sharedPool.push(row.anon);
        }
      }
      if (row.anon) p.userAnonMask |= 1 << row.dev;
      if (!p.crossCounted && (p.userAnonMask & (p.userAnonMask - 1)) !== 0) {
        p.crossCounted = true;
        s.crossDevicePeople++;
      }
      if (p.shared && row.dev === 0 && !p.sharedCounted) {
        p.sharedCounted = true;
        s.sharedDevices++;
      }
    }
    return this.render(row, tsText, user, anon);
  }

  private render(row: Row, ts: string, user: string, anon: string): string {
    const tr = row.tr;
    const utm = tr
      ? `${csv(tr.src)},${csv(tr.med)},${csv(tr.camp)},${csv(tr.content)},${csv(tr.term)}`
      : ',,,,';
    const clicks = tr ? `${tr.gclid},${tr.fbclid},${tr.msclkid}` : ',,';
    return `${row.id},${ts},${row.name},${user},${anon},${row.session},${utm},${csv(row.ref)},${csv(row.url)},` +
      `${clicks},${row.revenue},${row.revenue ? 'EUR' : ''}\n`;
  }
}

const NO_ROWS: Row[] = [];
/** Session-id modes of a visit: on every row, on about half, on none. */
const SESSION_MODES = cumulative([55, 10, 35]);
const NEXT_PAGES: ((r: Rng) => string)[] = [product, product, product, category, category, () => '/', () => '/cart', blog];

const CHUNK_BYTES = 1 << 20;

async function write(out: WriteStream, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

// ---------------------------------------------------------------------------
// CLI

const USAGE = 'usage: npx tsx samples/generate.ts --events N --out DIR [--seed S] [--name NAME] [--formats csv,parquet]';

/** Accepts 20000, 20k, 1m, 1_000_000. */
function parseCount(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.replaceAll('_', ''));
  if (!m) return NaN;
  const mult = m[2].toLowerCase() === 'm' ? 1e6 : m[2].toLowerCase() === 'k' ? 1e3 : 1;
  return Math.round(Number(m[1]) * mult);
}

async function main(argv: string[]): Promise<void> {
  const opts: Partial<GenerateOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      return;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    if (flag === '--events') opts.events = parseCount(value);
    else if (flag === '--out') opts.outDir = value;
    else if (flag === '--seed') opts.seed = Number(value);
    else if (flag === '--name') opts.name = value;
    else if (flag === '--formats') {
      const fs = value.split(',').map((f) => f.trim());
      for (const f of fs) if (f !== 'csv' && f !== 'parquet') throw new Error(`unknown format '${f}'\n${USAGE}`);
      opts.formats = fs as SampleFormat[];
    } else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (opts.events === undefined || opts.outDir === undefined) throw new Error(USAGE);
  const res = await generate(opts as GenerateOptions);
  const name = opts.name ?? `events_${abbreviateCount(opts.events)}`;
  process.stderr.write(summaryLine(name, res.stats) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
