/**
 * Time-zone offsets without DuckDB's ICU extension (which duckdb-wasm would
 * download). For a named zone we tabulate, with the platform's Intl data,
 * when each UTC offset starts in local wall-clock time; staging looks naive
 * timestamps up in that table with an ASOF join.
 */
import { AttribError } from '../errors.ts';

/** One row of the offsets table: from this local time (µs since epoch, as if UTC) on, local = UTC + offset. */
export interface OffsetRow {
  local_from_us: number;
  offset_us: number;
}

/** The smallest timestamp value used as "from the beginning of time". */
const MIN_US = -9007199254740991;

/** Offset of `zone` at UTC instant `ms`, in minutes. */
function offsetMinutes(fmt: Intl.DateTimeFormat, ms: number): number {
  const parts = fmt.formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60000);
}

/**
 * Tabulates the UTC offsets of an IANA zone from 1970 through 2060 (UTC and
 * fixed zones give one row). Throws `bad_parameter` for an unknown zone.
 */
export function zoneOffsets(zone: string): OffsetRow[] {
  if (/^(utc|z|gmt|etc\/utc)$/i.test(zone)) return [{ local_from_us: MIN_US, offset_us: 0 }];
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    throw new AttribError('bad_parameter', `--timezone ${zone}: not a known IANA time zone (e.g. UTC, Europe/Berlin, America/Los_Angeles)`);
  }
  const start = Date.UTC(1970, 0, 1);
  const end = Date.UTC(2061, 0, 1);
  const step = 6 * 3600 * 1000;
  let prev = offsetMinutes(fmt, start);
  const rows: OffsetRow[] = [{ local_from_us: MIN_US, offset_us: prev * 60e6 }];
  for (let t = start + step; t < end; t += step) {
    const cur = offsetMinutes(fmt, t);
    if (cur === prev) continue;
    // Binary-search the transition instant to the minute.
    let lo = t - step;
    let hi = t;
    while (hi - lo > 60000) {
      const mid = lo + Math.floor((hi - lo) / 2 / 60000) * 60000;
      if (offsetMinutes(fmt, mid) === prev) lo = mid;
      else hi = mid;
    }
    // The new offset applies from local time (transition + new offset); on a
    // fall-back overlap the repeated hour reads as the later offset.
    rows.push({ local_from_us: (hi + cur * 60000) * 1000, offset_us: cur * 60e6 });
    prev = cur;
  }
  return rows;
}
