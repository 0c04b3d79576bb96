/**
 * A Port to an engine host that answers for the host when it cannot: when
 * the host is gone (a worker that died, a server connection that dropped)
 * every request still waiting gets an `error` answer, and so does every
 * later one, so no call of an EngineClient hangs forever. The browser's
 * engine worker (worker/browser/engine.ts) and `attrib web`'s WebSocket
 * (renderer/host/remote.ts) differ only in how a message reaches the host.
 */
import type { Port } from './client.ts';
import type { FromHost, ToHost } from './protocol.ts';

export abstract class AnsweringPort implements Port {
  private readonly outstanding = new Set<number>();
  private readonly listeners = new Set<(e: Event) => void>();
  /** Why the host is gone for good (later requests are answered with it), or undefined. */
  protected dead: string | undefined;

  /** Hands a message to the host. */
  protected abstract send(m: ToHost): void;

  postMessage(m: unknown): void {
    const msg = m as ToHost;
    if (msg.type !== 'cancel') {
      if (this.dead) {
        const dead = this.dead;
        queueMicrotask(() => this.answerError(msg.id, dead));
        return;
      }
      this.outstanding.add(msg.id);
    }
    this.send(msg);
  }

  addEventListener(_type: 'message', fn: (e: Event) => void): void {
    this.listeners.add(fn);
  }

  /** A message from the host: passed on; an answered request no longer waits. */
  protected receive(data: unknown): void {
    const m = data as FromHost;
    if (m && (m.type === 'result' || m.type === 'error')) this.outstanding.delete(m.id);
    this.emit(data);
  }

  /** Answers every waiting request with `message`; with `forever`, every later one too. */
  protected fail(message: string, forever: boolean): void {
    if (forever) this.dead = message;
    const ids = [...this.outstanding];
    this.outstanding.clear();
    for (const id of ids) this.answerError(id, message);
  }

  /** Answers one request with an error in the host's stead. */
  protected answerError(id: number, message: string): void {
    this.outstanding.delete(id);
    this.emit({ id, type: 'error', error: { name: 'Error', message, code: 'internal' } } satisfies FromHost);
  }

  private emit(data: unknown): void {
    const ev = new MessageEvent('message', { data });
    for (const fn of this.listeners) fn(ev);
  }
}
