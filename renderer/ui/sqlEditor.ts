/**
 * SQL cells' editor: monaco-editor (bundled, its worker from node_modules),
 * the SQL grammar, completion of the engine's tables, columns and functions,
 * Ctrl/Cmd+Enter to run, height that follows the text.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/languages/definitions/sql/register';
// editor.api is the core without contributions: the completion provider below shows nothing
// unless the suggest widget's controller is loaded too.
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';

/** What completion offers: the engine's catalog, refreshed after every run. */
export interface Catalog {
  tables: { name: string; columns: { name: string; type: string }[] }[];
  functions: string[];
  params: string[];
}

const catalog: Catalog = { tables: [], functions: [], params: [] };
let ready = false;

/**
 * monaco's own light and dark themes with the SQL token colours that read at
 * less than 4.5:1 on the editor's background (WCAG AA) replaced: strings
 * (FF0000), operators such as JOIN (778899, light) and comments (608B4E, dark).
 */
const THEMES = { light: 'aw-light', dark: 'aw-dark' } as const;
function defineThemes(): void {
  monaco.editor.defineTheme(THEMES.light, { base: 'vs', inherit: true, colors: {}, rules: [
    { token: 'string.sql', foreground: 'A31515' },
    { token: 'operator.sql', foreground: '5D6D7E' },
  ] });
  monaco.editor.defineTheme(THEMES.dark, { base: 'vs-dark', inherit: true, colors: {}, rules: [
    { token: 'string.sql', foreground: 'CE9178' },
    { token: 'comment', foreground: '6A9955' },
  ] });
}

function setup(): void {
  if (ready) return;
  ready = true;
  defineThemes();
  (self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = { getWorker: () => new EditorWorker() };
  monaco.languages.registerCompletionItemProvider('sql', {
    triggerCharacters: ['.', '$'],
    provideCompletionItems(model, position) {
      const word = model.getWordUntilPosition(position);
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      const before = model.getValueInRange({ startLineNumber: position.lineNumber, startColumn: 1, endLineNumber: position.lineNumber, endColumn: word.startColumn });
      const K = monaco.languages.CompletionItemKind;
      if (before.endsWith('$')) {
        return { suggestions: catalog.params.map((p) => ({ label: p, kind: K.Variable, insertText: p, range, detail: 'parameter (bound)' })) };
      }
      const dot = /([A-Za-z_][\w]*)\.$/.exec(before);
      if (dot) {
        const t = catalog.tables.find((x) => x.name.toLowerCase() === dot[1].toLowerCase());
        return { suggestions: (t?.columns ?? []).map((c) => ({ label: c.name, kind: K.Field, insertText: c.name, range, detail: c.type })) };
      }
      return {
        suggestions: [
          ...catalog.tables.map((t) => ({ label: t.name, kind: K.Struct, insertText: t.name, range, detail: `table · ${t.columns.length} columns`, sortText: `0${t.name}` })),
          ...catalog.tables.flatMap((t) => t.columns.map((c) => ({ label: c.name, kind: K.Field, insertText: c.name, range, detail: `${t.name}.${c.name} ${c.type}`, sortText: `1${c.name}` }))),
          ...catalog.functions.map((f) => ({ label: f, kind: K.Function, insertText: f, range, detail: 'function', sortText: `2${f}` })),
        ],
      };
    },
  });
}

/** Replaces what completion offers. */
export function setCatalog(next: Partial<Catalog>): void {
  Object.assign(catalog, next);
}

/** Switches every editor's theme. */
export function setEditorTheme(dark: boolean): void {
  setup();
  monaco.editor.setTheme(dark ? THEMES.dark : THEMES.light);
}

/** An editor in `el`; `onRun` on Ctrl/Cmd+Enter, `onChange` on every edit. */
export function createSqlEditor(el: HTMLElement, value: string, opts: { dark: boolean; onRun(): void; onChange(v: string): void; readOnly?: boolean }) {
  setup();
  const editor = monaco.editor.create(el, {
    value,
    language: 'sql',
    theme: opts.dark ? THEMES.dark : THEMES.light,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    fontSize: 13,
    lineHeight: 20,
    lineNumbers: 'on',
    lineNumbersMinChars: 3,
    folding: false,
    renderLineHighlight: 'none',
    overviewRulerLanes: 0,
    automaticLayout: true,
    wordWrap: 'on',
    readOnly: opts.readOnly,
    scrollbar: { alwaysConsumeMouseWheel: false, vertical: 'hidden' },
    padding: { top: 8, bottom: 8 },
    fixedOverflowWidgets: true,
    ariaLabel: 'SQL',
  });
  const fit = () => {
    const lines = Math.min(30, Math.max(3, editor.getModel()?.getLineCount() ?? 3));
    el.style.height = `${lines * 20 + 16}px`;
    editor.layout();
  };
  fit();
  editor.onDidChangeModelContent(() => {
    fit();
    opts.onChange(editor.getValue());
  });
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => opts.onRun());
  editor.addCommand(monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => opts.onRun());
  return {
    editor,
    setValue(v: string) {
      if (v !== editor.getValue()) editor.setValue(v);
    },
    focus: () => editor.focus(),
    hasFocus: () => editor.hasTextFocus(),
    dispose: () => editor.dispose(),
  };
}
