// Types of common/webPolicy.mjs (plain JavaScript so node runs it without a build step).
export declare const CSP_DIRECTIVES: Readonly<Record<string, string>>;
export declare function cspValue(options?: { meta?: boolean }): string;
export declare const SECURITY_HEADERS: Readonly<Record<string, string>>;
export declare const MIME_TYPES: Readonly<Record<string, string>>;
export declare function contentType(file: string): string;
