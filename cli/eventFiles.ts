/**
 * The files an event command reads: `--events` given once or more, each a
 * file, a folder (its data files, by name) or a glob in the file name
 * (`exports/events_2024*.ndjson`, GA4's daily shards); and `--conversions`,
 * files of conversions kept apart from the touches, the same way.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AttribError } from '../common/errors.ts';
import { parseMapOption, type ColumnMapping } from '../common/import/columns.ts';
import { formatFromName, type FileSource } from '../common/import/source.ts';
import { fileSourceFromPath } from '../worker/native/source.ts';

/** The parseArgs options every event command takes for its files. */
export const EVENT_FILE_OPTIONS = {
  events: { type: 'string', multiple: true },
  conversions: { type: 'string', multiple: true },
  'conversions-map': { type: 'string', multiple: true },
} as const;

/** The help lines for those options. */
export const EVENT_FILE_HELP = `  --events FILE|DIR|GLOB        the event export (.csv .tsv .parquet .ndjson .jsonl, also .gz); repeat it,
                                give a folder, or a glob in the file name (events_2024*.ndjson) for several
  --conversions FILE|DIR|GLOB   conversions kept apart from the touches (orders from a shop or CRM): every row
                                is a conversion, joined to the events' people by user_id or anon_id
  --conversions-map f=col       map the conversions file's columns (event_id is the order id), as --map`;

/** Whether a path segment has glob characters. */
const isGlob = (s: string) => /[*?[]/.test(s);

/** A glob of one file-name segment as a regular expression (`*`, `?`, `[abc]`). */
function globRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The data files of a folder, by name (hidden files and files of unknown type left out). */
function folderFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.') && formatFromName(f) && statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => path.join(dir, f));
}

/** Expands one --events value to paths. @throws AttribError when nothing is there. */
function expand(value: string, flag: string): string[] {
  const dir = path.dirname(value);
  const base = path.basename(value);
  if (isGlob(base)) {
    if (isGlob(dir)) throw new AttribError('bad_parameter', `${flag} ${value}: a glob may only be in the file name, not in the folders`);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      throw new AttribError('file_unreadable', `no such folder for ${flag} ${value}`, { file: dir });
    }
    const re = globRegex(base);
    const out = names.filter((n) => re.test(n) && statSync(path.join(dir, n)).isFile()).sort().map((n) => path.join(dir, n));
    if (!out.length) throw new AttribError('file_unreadable', `no file matches ${flag} ${value}`, { file: value });
    return out;
  }
  let st;
  try {
    st = statSync(value);
  } catch {
    return [value]; // fileSourceFromPath says "no such file" naming it
  }
  if (!st.isDirectory()) return [value];
  const out = folderFiles(value);
  if (!out.length) throw new AttribError('file_unreadable', `the folder has no data files (.csv .tsv .parquet .ndjson .jsonl, or .gz of one)`, { file: value });
  return out;
}

/**
 * The FileSources of `--events` (or `--conversions`) values, in the order
 * given, each folder and glob in name order. Named by base name, or by the
 * path given where two base names would be the same (rows are told apart
 * by file and row).
 */
export function eventSources(values: string[] | undefined, flag = '--events'): FileSource[] {
  const paths = (values ?? []).flatMap((v) => expand(v, flag));
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    if (!seen.has(abs)) unique.push(p);
    seen.add(abs);
  }
  const bases = unique.map((p) => path.basename(p));
  return unique.map((p, i) => {
    const src = fileSourceFromPath(p);
    return bases.indexOf(bases[i]) !== bases.lastIndexOf(bases[i]) ? { ...src, name: p } : src;
  });
}

/** The importer's conversions options from --conversions and --conversions-map. */
export function conversionsFrom(o: { conversions?: string[]; 'conversions-map'?: string[] }): { conversionFiles?: FileSource[]; conversionsMap?: ColumnMapping } {
  if (!o.conversions?.length) {
    if (o['conversions-map']?.length) throw new AttribError('bad_parameter', '--conversions-map needs --conversions FILE');
    return {};
  }
  return { conversionFiles: eventSources(o.conversions, '--conversions'), conversionsMap: parseMapOption(o['conversions-map'] ?? []) };
}
