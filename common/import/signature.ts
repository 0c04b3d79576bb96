/**
 * What a file that is not text really is, from its first bytes (its "magic
 * number"): a user who picked a PNG or an Excel workbook by mistake is told
 * that, not that the text has a bad byte or is "probably UTF-16".
 */
import type { FileSource } from './source.ts';

const SIGNATURES: { bytes: number[]; what: string; hint: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG image', hint: 'choose the export itself (CSV, TSV, NDJSON or Parquet)' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image', hint: 'choose the export itself (CSV, TSV, NDJSON or Parquet)' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image', hint: 'choose the export itself (CSV, TSV, NDJSON or Parquet)' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document', hint: 'choose the data export, not a report of it' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an Excel .xlsx workbook is one)', hint: 'save the sheet as CSV (File > Save As > CSV UTF-8), or unzip the archive and choose the file inside' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'an old Excel (.xls) workbook', hint: 'save the sheet as CSV (File > Save As > CSV UTF-8)' },
  { bytes: [0x50, 0x41, 0x52, 0x31], what: 'a Parquet file', hint: 'give it the .parquet extension so it is read as Parquet' },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74, 0x20, 0x33, 0x00], what: 'an SQLite database', hint: 'export the table as CSV first' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive', hint: 'give it the .gz extension (e.g. events.csv.gz) so it is unpacked as it is read' },
  { bytes: [0x42, 0x5a, 0x68], what: 'a bzip2 archive', hint: 'unpack it first' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'a Zstandard archive', hint: 'unpack it first' },
];

/** The known binary kind of these first bytes, with what to do instead; undefined for anything else. */
export function binaryKind(head: Uint8Array): { what: string; hint: string } | undefined {
  return SIGNATURES.find((s) => s.bytes.length <= head.length && s.bytes.every((b, i) => head[i] === b));
}

/** The first `n` bytes of a source (fewer when it is shorter). */
export async function headBytes(source: FileSource, n = 16): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  for await (const chunk of source.stream()) {
    const take = Math.min(n - got, chunk.length);
    out.set(chunk.subarray(0, take), got);
    got += take;
    if (got >= n) break;
  }
  return out.subarray(0, got);
}

/**
 * Whether NUL bytes in these first bytes look like UTF-16 text (ASCII letters
 * with a NUL beside each, every other byte), rather than binary data.
 */
export function looksUtf16(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  const pairs = Math.floor(head.length / 2);
  let le = 0;
  let be = 0;
  for (let i = 0; i < pairs; i++) {
    const a = head[2 * i];
    const b = head[2 * i + 1];
    if (b === 0 && a >= 0x09 && a < 0x7f) le++;
    if (a === 0 && b >= 0x09 && b < 0x7f) be++;
  }
  return Math.max(le, be) >= pairs * 0.75;
}
