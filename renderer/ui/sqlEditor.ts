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
import { completionEntries, type CompletionCatalog, type CompletionContext, type CompletionKind } from '../../common/sqlCompletion.ts';

/** What completion offers: the engine's catalog, refreshed after every run. */
export type Catalog = CompletionCatalog;

const catalog: Catalog = { tables: [], functions: [], params: [] };
let ready = false;

/** monaco's icon for each kind of entry. */
const KINDS: Record<CompletionKind, monaco.languages.CompletionItemKind> = {
  table: monaco.languages.CompletionItemKind.Struct,
  column: monaco.languages.CompletionItemKind.Field,
  param: monaco.languages.CompletionItemKind.Variable,
  keyword: monaco.languages.CompletionItemKind.Keyword,
  function: monaco.languages.CompletionItemKind.Function,
};

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
      const dot = /([A-Za-z_][\w]*)\.$/.exec(before);
      const context: CompletionContext = before.endsWith('$') ? { at: 'param' } : dot ? { at: 'member', of: dot[1] } : { at: 'word' };
      const entries = completionEntries(catalog, context, context.at === 'member' ? model.getValue() : '');
      return { suggestions: entries.map((e) => ({ ...e, kind: KINDS[e.kind], range })) };
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
  // An action, not addCommand: addCommand's keybinding is global (the last editor created
  // would run for every cell), an action's is scoped to this editor. Dynamic keybindings
  // take precedence over monaco's own, so these run even while the suggest widget is open
  // (which would otherwise take Shift+Enter), and the widget is closed rather than left
  // floating over the page once the cell runs.
  const run = editor.addAction({
    id: 'attrib.runCell',
    label: 'Run cell',
    keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, monaco.KeyMod.Shift | monaco.KeyCode.Enter],
    run: () => {
      editor.trigger('runCell', 'hideSuggestWidget', null);
      opts.onRun();
    },
  });
  return {
    editor,
    setValue(v: string) {
      if (v !== editor.getValue()) editor.setValue(v);
    },
    focus: () => editor.focus(),
    hasFocus: () => editor.hasTextFocus(),
    dispose: () => {
      run.dispose();
      editor.dispose();
    },
  };
}
