/**
 * The one allow-list of IPC channels between main and the preload, with the
 * validator of each invoke channel's arguments. Shared by main/ipc.ts (which
 * registers exactly these handlers and validates every call) and
 * main/preload.ts (which wraps exactly these channels). Pure TypeScript: no
 * Node, no Electron, so the sandboxed preload bundle can include it.
 */
import type { KeyInfo } from '../common/bridge.ts';
import { KEY_ID_RE } from '../common/pseudonym.ts';
import type { AppInfo, ExportFileArgs, NotebookFile, PathFile, RecentEntry, RecoverySlot, SaveNotebookArgs, SavedFile } from '../common/electronApi.ts';
import { RECOVERY_SLOTS } from '../common/electronApi.ts';

/** Request/response channels (ipcRenderer.invoke -> ipcMain.handle): argument tuple and result. */
export interface InvokeMap {
  'workbench:pick-data-files': { args: []; result: PathFile[] };
  'workbench:open-notebook': { args: []; result: NotebookFile | null };
  'workbench:save-notebook': { args: [SaveNotebookArgs]; result: SavedFile | null };
  'workbench:export-file': { args: [ExportFileArgs]; result: boolean };
  'workbench:write-recovery': { args: [string, RecoverySlot?]; result: void };
  'workbench:read-recovery': { args: [RecoverySlot?]; result: string | null };
  'workbench:clear-recovery': { args: [RecoverySlot?]; result: void };
  'workbench:recent-notebooks': { args: []; result: RecentEntry[] };
  'workbench:open-recent': { args: [string]; result: NotebookFile | null };
  'workbench:app-info': { args: []; result: AppInfo };
  'workbench:key-create': { args: []; result: KeyInfo };
  'workbench:key-get': { args: [string]; result: string | null };
  'workbench:key-import': { args: []; result: KeyInfo | null };
  'workbench:key-export': { args: [string]; result: boolean };
}

/** An invoke channel name. */
export type InvokeChannel = keyof InvokeMap;

/** Renderer -> main, one way (ipcRenderer.send -> ipcMain.on). */
export const SEND_CHANNELS = {
  /** Asks for a port to the engine utility process; it comes back on TO_RENDERER.enginePort. */
  connectEngine: 'workbench:connect-engine',
} as const;

/** Main -> renderer (webContents.send / postMessage -> ipcRenderer.on). */
export const TO_RENDERER = {
  /** A native menu item was chosen: the argument is the command id. */
  menuCommand: 'workbench:menu-command',
  /** An engine port (in the event's ports) and an EnginePortMessage without `type`. */
  enginePort: 'engine-port',
} as const;

/** Largest notebook text accepted over IPC (characters). */
export const MAX_TEXT = 64 * 1024 * 1024;
/** Largest export accepted over IPC (bytes). */
export const MAX_EXPORT_BYTES = 1024 * 1024 * 1024;
/** Longest path accepted (characters); longer than any OS allows. */
export const MAX_PATH = 4096;

/** Thrown by a validator: the call is refused before any handler runs. */
export class IpcValidationError extends Error {
  constructor(channel: string, message: string) {
    super(`${channel}: ${message}`);
    this.name = 'IpcValidationError';
  }
}

type Validator<C extends InvokeChannel> = (args: readonly unknown[]) => InvokeMap[C]['args'];

function arity(channel: string, args: readonly unknown[], n: number): void {
  if (args.length !== n) throw new IpcValidationError(channel, `expected ${n} argument(s), got ${args.length}`);
}

/** A recovery slot by name (anything else is refused). */
function slot(channel: string, v: unknown): RecoverySlot {
  if (!RECOVERY_SLOTS.includes(v as RecoverySlot)) throw new IpcValidationError(channel, `slot must be one of ${RECOVERY_SLOTS.join(', ')}`);
  return v as RecoverySlot;
}

/** No argument, or one recovery slot. */
function slotOnly(channel: string, args: readonly unknown[]): [RecoverySlot?] {
  if (args.length > 1) throw new IpcValidationError(channel, `expected 0 or 1 argument(s), got ${args.length}`);
  return args.length ? [slot(channel, args[0])] : [];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Only the listed keys, each at most once; `required` ones present. */
function keysOnly(channel: string, o: Record<string, unknown>, allowed: string[], required: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new IpcValidationError(channel, `unexpected field '${k}'`);
  for (const k of required) if (!(k in o)) throw new IpcValidationError(channel, `missing field '${k}'`);
}

function text(channel: string, v: unknown, what: string): string {
  if (typeof v !== 'string') throw new IpcValidationError(channel, `${what} must be a string`);
  if (v.length > MAX_TEXT) throw new IpcValidationError(channel, `${what} is too long`);
  return v;
}

/** An absolute path in either convention (POSIX "/x", Windows "C:\x" or "\\server\share\x"), no NUL. */
export function isAbsolutePathString(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_PATH || v.includes('\0')) return false;
  return v.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v) || /^\\\\[^\\/]+[\\/][^\\/]+/.test(v);
}

function absolutePath(channel: string, v: unknown, what: string): string {
  if (!isAbsolutePathString(v)) throw new IpcValidationError(channel, `${what} must be an absolute path`);
  return v;
}

/** A bare file name to suggest in a save dialog: no folders, no NUL, not "." or "..", at most 255 characters. */
export function isFileName(v: unknown): v is string {
  return (
    typeof v === 'string' &&
    v.length > 0 &&
    v.length <= 255 &&
    v !== '.' &&
    v !== '..' &&
    !/[\\/\0]/.test(v) &&
    !/[\x00-\x1f]/.test(v)
  );
}

function fileName(channel: string, v: unknown, what: string): string {
  if (!isFileName(v)) throw new IpcValidationError(channel, `${what} must be a plain file name`);
  return v;
}

const none =
  <C extends InvokeChannel>(channel: C): Validator<C> =>
  (args) => {
    arity(channel, args, 0);
    return [] as unknown as InvokeMap[C]['args'];
  };

/** The validator of every invoke channel: returns the arguments when their shape is right, else throws IpcValidationError. */
export const VALIDATORS: { readonly [C in InvokeChannel]: Validator<C> } = Object.freeze({
  'workbench:pick-data-files': none('workbench:pick-data-files'),
  'workbench:open-notebook': none('workbench:open-notebook'),
  'workbench:save-notebook': (args: readonly unknown[]): [SaveNotebookArgs] => {
    const ch = 'workbench:save-notebook';
    arity(ch, args, 1);
    const a = args[0];
    if (!isPlainObject(a)) throw new IpcValidationError(ch, 'expected an object { text, suggestedName, path? }');
    keysOnly(ch, a, ['text', 'suggestedName', 'path'], ['text', 'suggestedName']);
    const out: SaveNotebookArgs = { text: text(ch, a.text, 'text'), suggestedName: fileName(ch, a.suggestedName, 'suggestedName') };
    if (a.path !== undefined) out.path = absolutePath(ch, a.path, 'path');
    return [out];
  },
  'workbench:export-file': (args: readonly unknown[]): [ExportFileArgs] => {
    const ch = 'workbench:export-file';
    arity(ch, args, 1);
    const a = args[0];
    if (!isPlainObject(a)) throw new IpcValidationError(ch, 'expected an object { suggestedName, data }');
    keysOnly(ch, a, ['suggestedName', 'data'], ['suggestedName', 'data']);
    if (!(a.data instanceof Uint8Array)) throw new IpcValidationError(ch, 'data must be a Uint8Array');
    if (a.data.byteLength > MAX_EXPORT_BYTES) throw new IpcValidationError(ch, 'data is too large');
    return [{ suggestedName: fileName(ch, a.suggestedName, 'suggestedName'), data: a.data }];
  },
  'workbench:write-recovery': (args: readonly unknown[]): [string, RecoverySlot?] => {
    const ch = 'workbench:write-recovery';
    if (args.length !== 1 && args.length !== 2) throw new IpcValidationError(ch, `expected 1 or 2 argument(s), got ${args.length}`);
    return args.length === 2 ? [text(ch, args[0], 'text'), slot(ch, args[1])] : [text(ch, args[0], 'text')];
  },
  'workbench:read-recovery': (args: readonly unknown[]): [RecoverySlot?] => slotOnly('workbench:read-recovery', args),
  'workbench:clear-recovery': (args: readonly unknown[]): [RecoverySlot?] => slotOnly('workbench:clear-recovery', args),
  'workbench:recent-notebooks': none('workbench:recent-notebooks'),
  'workbench:open-recent': (args: readonly unknown[]): [string] => {
    const ch = 'workbench:open-recent';
    arity(ch, args, 1);
    return [absolutePath(ch, args[0], 'path')];
  },
  'workbench:app-info': none('workbench:app-info'),
  'workbench:key-create': none('workbench:key-create'),
  'workbench:key-get': (args: readonly unknown[]): [string] => [keyIdArg('workbench:key-get', args)],
  'workbench:key-import': none('workbench:key-import'),
  'workbench:key-export': (args: readonly unknown[]): [string] => [keyIdArg('workbench:key-export', args)],
});

/** One key id: 16 lower-case hex digits (common/pseudonym.ts keyId). */
function keyIdArg(channel: string, args: readonly unknown[]): string {
  arity(channel, args, 1);
  if (typeof args[0] !== 'string' || !KEY_ID_RE.test(args[0])) throw new IpcValidationError(channel, 'keyId must be 16 lower-case hex digits');
  return args[0];
}

/** Every invoke channel, the allow-list. */
export const INVOKE_CHANNELS: readonly InvokeChannel[] = Object.freeze(Object.keys(VALIDATORS) as InvokeChannel[]);

/** Whether `c` is an allow-listed invoke channel. */
export function isInvokeChannel(c: unknown): c is InvokeChannel {
  return typeof c === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(c);
}
