/**
 * The notebook's data model: what a `.attrib.md` file holds (common/notebook/
 * format.ts reads and writes it) and what the UI edits. Outputs are never
 * part of it. Plain data only: JSON-safe, no classes, no DOM.
 */
import type { RuleSet } from '../rules.ts';

/** The on-disk format this code writes; files of a newer version open read-only. */
export const NOTEBOOK_FORMAT = 'attribution-notebook/1';

export type CellKind = 'markdown' | 'sql' | 'chart' | 'param' | 'model' | 'data';

/** Fields every cell has. `id` is stable for the cell's life and across saves. */
export interface CellBase {
  id: string;
  kind: CellKind;
}

/** Text in Markdown (a safe subset is rendered as text nodes, never as HTML). */
export interface MarkdownCell extends CellBase {
  kind: 'markdown';
  source: string;
}

/**
 * A SQL query. Its result is kept in the engine as table `name` (so later
 * cells can read it); `$param` names are bound parameters, never pasted.
 */
export interface SqlCell extends CellBase {
  kind: 'sql';
  name: string;
  source: string;
}

/** The quick chart builder's choices; the spec is generated from them. */
export interface ChartBuilder {
  mark: 'bar' | 'line' | 'area' | 'point' | 'arc' | 'rect';
  x?: string;
  y?: string;
  color?: string;
  /** Aggregate of y (none = the values as they are). */
  aggregate?: 'none' | 'sum' | 'mean' | 'count' | 'min' | 'max';
  /** Horizontal bars (x and y swapped in the spec). */
  horizontal?: boolean;
}

/**
 * A vega-lite chart of one named result. With `builder` the spec is generated
 * from it; without, `spec` is the user's own (data always comes from `from`:
 * any `data`, `url` or remote reference in the spec is removed).
 */
export interface ChartCell extends CellBase {
  kind: 'chart';
  from: string;
  title?: string;
  builder?: ChartBuilder;
  spec?: Record<string, unknown>;
}

export type ParamControl = 'slider' | 'number' | 'select' | 'date_range' | 'text' | 'checkbox';
/** A parameter's value: date_range is [from, to] as YYYY-MM-DD. */
export type ParamValue = number | string | boolean | [string, string];

/** A named input; SQL cells use it as `$name`, model cells as `"$name"` in their params. */
export interface ParamCell extends CellBase {
  kind: 'param';
  name: string;
  label?: string;
  control: ParamControl;
  value: ParamValue;
  min?: number;
  max?: number;
  step?: number;
  /** Choices of a select. */
  options?: string[];
  /** Unit shown beside the value, e.g. "days". */
  unit?: string;
}

/**
 * A bundled attribution run (models/*.sql) on the notebook's events: which
 * models, their parameters (a value may be "$param" to follow a param cell),
 * the channel rules (inline data; absent = the bundled default) and a
 * baseline model for deltas. Its outputs are the engine tables it writes
 * (channel_summary, credits, conversions, journeys, touches, model_comparison...).
 */
export interface ModelCell extends CellBase {
  kind: 'model';
  name: string;
  models: string[];
  params: Record<string, number | string | boolean>;
  rules?: RuleSet;
  compare?: string;
  /** Also run the audit (models/audit.sql: health_daily, pipeline_trace, unattributable, health_xmr, health_inputs_daily). */
  audit?: boolean;
  /**
   * A frozen configuration to compare with ("Propose a change"): while set, each run also runs
   * the rule-change diff (common/ruleDiff.ts) of this baseline against the cell's current rules
   * and params, both under `baseline.model`, leaving diff_conversions, diff_matrix and diff_totals.
   */
  baseline?: ModelBaseline;
}

/** A model cell's frozen baseline: a DiffConfig (common/ruleDiff.ts) with its values resolved (no "$param"). */
export interface ModelBaseline {
  /** The model both sides of the diff run (default linear). */
  model: string;
  /** Parameter values as they were when frozen. */
  params: Record<string, number | string | boolean>;
  /** The channel rules as they were (the bundled defaults copied in when the cell had none). */
  rules: RuleSet;
}

/** A file's fingerprint, so reopening warns when the data changed. */
export interface Fingerprint {
  size: number;
  /** SHA-256 (hex) of the whole file, or of its first and last MiB for files above 64 MiB (then `partial`). */
  sha256: string;
  partial?: boolean;
}

/** Import options a data cell keeps (the ImportOptions the user chose in its mapping step). */
export interface DataImportOptions {
  preset?: string;
  map?: Record<string, string>;
  timezone?: string;
  timeUnit?: 'auto' | 's' | 'ms' | 'us';
  conversionEvents?: string[];
  /** A column whose 1/true/yes rows are the conversions (ImportOptions.conversionFlag). */
  conversionFlag?: string;
  /**
   * With {@link DataCell.conversionPaths}: how the conversions file's columns
   * map to user_id, anon_id, event_ts, revenue, event_id (the order id)...
   * (ImportOptions.conversionsMap, the CLI's --conversions-map field=column).
   */
  conversionsMap?: Record<string, string>;
  siteDomains?: string[];
  delimiter?: string;
  encoding?: 'utf-8' | 'latin1' | 'windows-1252' | 'utf-16le';
  /**
   * Pseudonymise ids at import with the key of this id (common/pseudonym.ts).
   * Only the public id is stored: the key stays in the OS keychain or a key file.
   */
  pseudonymize?: { keyId: string };
}

/**
 * An event file, loaded as the notebook's `events` (and `rejects`). `path` is
 * relative to the notebook's folder, with forward slashes ("samples/x.parquet").
 */
export interface DataCell extends CellBase {
  kind: 'data';
  name: string;
  path: string;
  /**
   * Further files read with `path` as one import (daily shards, a folder's
   * files), relative in the same way; absent for one file.
   */
  morePaths?: string[];
  /**
   * Files of conversions kept apart from the touches (orders from a shop or
   * CRM), relative in the same way: every row is a conversion, joined to the
   * people of the event files (ImportOptions.conversionFiles, the CLI's
   * --conversions). Absent: conversions are events of the file(s) above.
   */
  conversionPaths?: string[];
  fingerprint?: Fingerprint;
  options: DataImportOptions;
}

export type Cell = MarkdownCell | SqlCell | ChartCell | ParamCell | ModelCell | DataCell;

/** A whole notebook. */
export interface Notebook {
  format: typeof NOTEBOOK_FORMAT;
  title: string;
  cells: Cell[];
}
