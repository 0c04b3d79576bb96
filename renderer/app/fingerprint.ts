/**
 * File fingerprints for data cells: size plus SHA-256, so reopening a
 * notebook says when its data changed. Files above 64 MiB hash their first
 * and last MiB and their size (marked partial): hashing gigabytes on open
 * would make the user wait for a warning.
 */
import type { Fingerprint } from '../../common/notebook/types.ts';

const FULL_LIMIT = 64 * 1024 * 1024;
const EDGE = 1024 * 1024;

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The fingerprint of a Blob (a File the user picked, or the bundled sample). */
export async function fingerprintBlob(blob: Blob): Promise<Fingerprint> {
  if (blob.size <= FULL_LIMIT) return { size: blob.size, sha256: hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())) };
  const head = await blob.slice(0, EDGE).arrayBuffer();
  const tail = await blob.slice(blob.size - EDGE).arrayBuffer();
  const joined = new Uint8Array(EDGE * 2 + 8);
  joined.set(new Uint8Array(head), 0);
  joined.set(new Uint8Array(tail), EDGE);
  new DataView(joined.buffer).setFloat64(EDGE * 2, blob.size);
  return { size: blob.size, sha256: hex(await crypto.subtle.digest('SHA-256', joined)), partial: true };
}

/** Whether two fingerprints describe the same bytes (as far as they can tell). */
export function sameFingerprint(a: Fingerprint | undefined, b: Fingerprint | undefined): boolean {
  if (!a || !b) return true;
  return a.size === b.size && a.sha256 === b.sha256 && Boolean(a.partial) === Boolean(b.partial);
}
