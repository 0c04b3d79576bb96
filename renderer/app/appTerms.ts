/**
 * Engine messages in the app's own words. The importer speaks to the CLI's
 * users ("pass --encoding latin1", "--map user_id=..."); in the page the same
 * advice points at the control that does it. Pure string rewrites, so the
 * message's facts (file, line, column, byte) stay as the engine said them.
 */
const REWRITES: [RegExp, string][] = [
  [/Re-export as UTF-8, or pass --encoding latin1 \(or windows-1252, utf-16le\)/g, 'Re-export it as UTF-8, or choose its encoding under Encoding (in this cell, just below)'],
  [/Pass --encoding utf-16le, or re-export as UTF-8/g, 'Choose UTF-16 LE under Encoding (in this cell, just below), or re-export it as UTF-8'],
  [/suggesting --encoding (\S+)/g, 'suggesting the encoding $1'],
  [/\(or pass --format\)/g, '(or rename it with one of these extensions)'],
  [/\(set --timezone to change\)/g, '(set the time zone in the data cell to change)'],
  [/--conversions-map (\w+)=([^:]+):/g, 'the orders mapping $1 → $2:'],
  [/--map (\w+)=([^:]+):/g, 'the column mapping $1 → $2:'],
  [/--conversion-flag and --conversions are two ways/g, 'a conversion flag column and a file of orders are two ways'],
  [/--conversion-flag (\S+):/g, 'the conversion flag column $1:'],
  [/map one with --(?:conversions-)?map (\w+)=COLUMN/g, 'choose its column for $1 in the mapping below'],
  [/--map/g, 'the column mapping'],
];

/** A message with the CLI's flags replaced by what the page offers instead. */
export function inAppTerms(message: string): string {
  let m = message;
  for (const [re, to] of REWRITES) m = m.replace(re, to);
  return m;
}
