/**
 * IPC in main: exactly the allow-listed channels of main/ipcChannels.ts, each
 * call refused unless it comes from the app's own main frame
 * (`app://workbench/`, parsed, parent null) and its arguments pass the
 * channel's validator (S8). Plain functions over `import type` Electron
 * objects, tested with fake events (test/unit/electron-ipc.test.ts).
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { INVOKE_CHANNELS, SEND_CHANNELS, VALIDATORS, type InvokeChannel, type InvokeMap } from './ipcChannels.ts';
import type { Handlers } from './handlers.ts';
import { isAppUrl, type SecurityLog } from './security.ts';

/** The frame fields the sender check reads. */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

/** Whether an IPC message comes from the app: a main frame (no parent) whose URL is an app:// page of our host. */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (!frame || typeof frame.url !== 'string') return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

/** Refusal of an IPC call (untrusted sender or bad arguments); the renderer's invoke rejects with it. */
export class IpcRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpcRefused';
  }
}

type InvokeEventLike = { senderFrame: SenderFrame | null | undefined };

/** The listener ipcMain.handle gets for `channel`: checks the sender, validates the arguments, then calls `handler`. */
export function guardInvoke<C extends InvokeChannel>(
  channel: C,
  handler: (...args: InvokeMap[C]['args']) => Promise<InvokeMap[C]['result']>,
  log: SecurityLog = () => {},
): (event: InvokeEventLike, ...args: unknown[]) => Promise<InvokeMap[C]['result']> {
  const validate = VALIDATORS[channel] as (args: readonly unknown[]) => InvokeMap[C]['args'];
  return async (event, ...args) => {
    if (!isTrustedSender(event?.senderFrame)) {
      log(`refused ${channel}: sender ${event?.senderFrame?.url ?? '(none)'} is not the app's main frame`);
      throw new IpcRefused(`refused ${channel}: untrusted sender`);
    }
    let valid: InvokeMap[C]['args'];
    try {
      valid = validate(args);
    } catch (e) {
      log(`refused ${channel}: ${(e as Error).message}`);
      throw new IpcRefused(`refused ${(e as Error).message}`);
    }
    return handler(...valid);
  };
}

export interface IpcHooks {
  /** A trusted page asked for an engine port. */
  onConnectEngine(sender: WebContents): void;
}

/** Registers every allow-listed channel on `ipcMain`; returns a function that removes them. */
export function registerIpc(ipcMain: IpcMain, handlers: Handlers, hooks: IpcHooks, log: SecurityLog = () => {}): () => void {
  for (const channel of INVOKE_CHANNELS) {
    const h = handlers[channel] as (...a: unknown[]) => Promise<unknown>;
    const listener = guardInvoke(channel, h as never, log);
    ipcMain.handle(channel, (e: IpcMainInvokeEvent, ...args: unknown[]) => listener(e, ...args));
  }
  const onConnect = (e: IpcMainEvent) => {
    if (!isTrustedSender(e.senderFrame)) {
      log(`refused ${SEND_CHANNELS.connectEngine}: untrusted sender`);
      return;
    }
    hooks.onConnectEngine(e.sender);
  };
  ipcMain.on(SEND_CHANNELS.connectEngine, onConnect);
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
    ipcMain.removeListener(SEND_CHANNELS.connectEngine, onConnect);
  };
}
