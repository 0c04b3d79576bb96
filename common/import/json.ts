/**
 * JSON text with its numbers kept as written: a double cannot hold every
 * digit of a 16+ digit id (GA4's event_timestamp, int_value params), so text
 * with long digit runs is parsed by this small parser instead of JSON.parse.
 * Shared by the NDJSON reader and the layouts' cell expansion (expand.ts).
 */

/** Text with 16+ digits in a row may hold numbers that a double cannot keep exactly. */
export const LONG_DIGITS = /\d{16}/;

/** A JSON number kept as its source text, so long IDs keep every digit. */
export class RawNumber {
  constructor(readonly text: string) {}
}
/** A parsed JSON value with its numbers as {@link RawNumber}. */
export type RawValue = string | boolean | null | RawNumber | RawValue[] | RawObject;
/** Object members in source order. */
export class RawObject {
  constructor(readonly members: [string, RawValue][]) {}
}

/**
 * Minimal JSON parser that keeps numbers as text. Only used on lines that
 * JSON.parse has already accepted and that hold a long digit run (where
 * String(number) could lose digits), so it need not report syntax errors.
 */
export function parseRaw(s: string): RawValue {
  let i = 0;
  const ws = () => {
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 34) break;
      else i++;
    }
    i++;
    return JSON.parse(s.slice(start, i)) as string;
  };
  const value = (): RawValue => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      const members: [string, RawValue][] = [];
      ws();
      if (s[i] === '}') {
        i++;
        return new RawObject(members);
      }
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // ':'
        members.push([k, value()]);
        ws();
        if (s[i++] === '}') return new RawObject(members);
      }
    }
    if (c === '[') {
      i++;
      const items: RawValue[] = [];
      ws();
      if (s[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value());
        ws();
        if (s[i++] === ']') return items;
      }
    }
    if (c === '"') return str();
    if (s.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (s.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (s.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const start = i;
    while (i < s.length && '+-0123456789.eE'.includes(s[i]!)) i++;
    return new RawNumber(s.slice(start, i));
  };
  return value();
}

/** Compact JSON text of a raw value, numbers as written. */
export function rawToJson(v: RawValue): string {
  if (v === null) return 'null';
  if (v instanceof RawNumber) return v.text;
  if (v instanceof RawObject) return `{${v.members.map(([k, x]) => `${JSON.stringify(k)}:${rawToJson(x)}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(rawToJson).join(',')}]`;
  return JSON.stringify(v);
}

/**
 * Parses JSON text (throws a SyntaxError when it is not JSON) into plain
 * values, with every number as its source text when the text has a long
 * digit run, else as a JS number.
 */
export function parseJsonKeepingDigits(text: string): unknown {
  const v: unknown = JSON.parse(text);
  return LONG_DIGITS.test(text) ? toPlain(parseRaw(text)) : v;
}

function toPlain(v: RawValue): unknown {
  if (v instanceof RawNumber) return v.text;
  if (v instanceof RawObject) return Object.fromEntries(v.members.map(([k, x]) => [k, toPlain(x)]));
  if (Array.isArray(v)) return v.map(toPlain);
  return v;
}
