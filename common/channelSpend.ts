/**
 * Channel spend for fractribution's report (ROAS): a CSV file with the
 * columns `channel` and `spend`, the layout of the package's channel_spend
 * table, e.g.
 *   channel,spend
 *   Paid_Search_Brand,1200.50
 * Channels are matched exactly as the preset's rules label them. A bad row
 * stops the read with its line and column: a silently dropped spend row
 * would turn a channel's ROAS into the default spend's.
 */
import { AttribError } from './errors.ts';
import { openCsv } from './import/csv.ts';
import type { FileSource } from './import/source.ts';

const PLAIN_NUMBER = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads a spend file into channel -> spend.
 *
 * @throws AttribError `file_missing_column` without a channel or spend column,
 *   `file_bad_row` for an empty channel, a repeated channel or a spend that is
 *   not a plain number >= 0, and the CSV reader's errors.
 */
export async function readSpend(source: FileSource): Promise<Record<string, number>> {
  const file = source.name;
  const reader = await openCsv(source);
  const find = (name: string) => {
    const i = reader.header.findIndex((h) => h.trim().toLowerCase() === name);
    if (i < 0) throw new AttribError('file_missing_column', `no column '${name}' (columns: ${reader.header.join(', ')}); a spend file has channel,spend`, { file, line: 1 });
    return i;
  };
  const iChannel = find('channel');
  const iSpend = find('spend');
  const out: Record<string, number> = {};
  for await (const batch of reader.batches()) {
    const bad = batch.rejects[0];
    if (bad) throw new AttribError('file_bad_row', `cannot read this row: ${bad.detail}`, { file, line: bad.line, column: bad.column });
    for (let r = 0; r < batch.rowCount; r++) {
      const line = batch.lines[r]!;
      const channel = batch.columns[iChannel]![r]!.trim();
      const raw = batch.columns[iSpend]![r]!.trim();
      if (!channel) throw new AttribError('file_bad_row', 'the channel is empty', { file, line, column: iChannel + 1 });
      if (channel in out) throw new AttribError('file_bad_row', `'${channel}' has a spend already; give each channel one row`, { file, line, column: iChannel + 1 });
      if (!PLAIN_NUMBER.test(raw)) throw new AttribError('file_bad_row', `spend '${raw}' is not a plain number >= 0, e.g. 1200.50`, { file, line, column: iSpend + 1 });
      out[channel] = Number(raw);
    }
  }
  return out;
}
