// Types of scripts/serve.mjs (plain JavaScript, run by node without a build step).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export declare const CSP_DIRECTIVES: Record<string, string>;
export declare function cspValue(options?: { meta?: boolean }): string;
export declare const SECURITY_HEADERS: Record<string, string>;
export declare function mimeType(file: string): string;
export declare const DIST_DIR: string;
export declare function sendFile(req: IncomingMessage, res: ServerResponse, root: string, rawPath: string, options?: { rewrite?: (file: string) => Promise<string | undefined> }): Promise<void>;
export declare function resolveInside(root: string, urlPath: string): Promise<string | null | undefined>;
export declare function serveStatic(options?: { root?: string; host?: string; port?: number; log?: boolean; onRequest?: (path: string) => void }): Promise<{
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}>;
