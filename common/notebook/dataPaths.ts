/**
 * Data paths in a notebook are relative to the notebook's folder with forward
 * slashes, so a notebook and its data can move together and open on another
 * OS. These are pure string functions (common/ has no `path` module); they
 * accept POSIX paths and Windows paths (drive letters and UNC shares).
 */

/** A parsed absolute path: its root and its normalised components. */
interface AbsPath {
  windows: boolean;
  /** "/" for POSIX, "C:" for a drive, "\\\\server\\share" for UNC (kept as written). */
  root: string;
  parts: string[];
}

/** Whether `p` is absolute in either convention (so it does not belong in a notebook file). */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p);
}

/** Components of a relative path: "." dropped, ".." resolved against the earlier ones where it can be. */
function normaliseParts(parts: string[], clampAtRoot: boolean): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      // Above the root there is nothing: "/.." is "/" (as every OS resolves it).
      else if (!clampAtRoot) out.push('..');
    } else out.push(p);
  }
  return out;
}

function parseAbsolute(p: string): AbsPath | null {
  let m = /^([A-Za-z]):(?:[\\/]|$)(.*)$/s.exec(p);
  if (m) return { windows: true, root: m[1].toUpperCase() + ':', parts: normaliseParts(m[2].split(/[\\/]/), true) };
  m = /^[\\/]{2}([^\\/]+)[\\/]([^\\/]+)(.*)$/s.exec(p);
  if (m && p.startsWith('\\\\')) return { windows: true, root: `\\\\${m[1]}\\${m[2]}`, parts: normaliseParts(m[3].split(/[\\/]/), true) };
  if (p.startsWith('/')) return { windows: false, root: '/', parts: normaliseParts(p.split('/'), true) };
  return null;
}

/** Windows compares names without regard to case; POSIX file systems do not. */
function sameName(a: string, b: string, windows: boolean): boolean {
  return windows ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * The path of `filePath` relative to the folder `notebookDir`, with forward
 * slashes ("data/x.parquet", "../exports/x.csv"); "." when they are the same.
 * Both must be absolute. Returns null when no relative path exists: one is
 * POSIX and the other Windows, or they are on different drives or shares
 * (then the caller should copy the file beside the notebook or ask).
 */
export function relativeDataPath(notebookDir: string, filePath: string): string | null {
  const dir = parseAbsolute(notebookDir);
  const file = parseAbsolute(filePath);
  if (!dir || !file || dir.windows !== file.windows || !sameName(dir.root, file.root, dir.windows)) return null;
  let common = 0;
  while (common < dir.parts.length && common < file.parts.length && sameName(dir.parts[common], file.parts[common], dir.windows)) common++;
  const rel = [...dir.parts.slice(common).map(() => '..'), ...file.parts.slice(common)];
  return rel.length ? rel.join('/') : '.';
}

/**
 * The absolute path of the relative data path `rel` (as stored in a notebook)
 * against the folder `notebookDir`, written in that folder's convention
 * (backslashes on Windows). A backslash in `rel` counts as a separator too, for
 * files edited by hand on Windows. Throws when `rel` is absolute or the folder
 * is not: the parser never yields an absolute data path.
 */
export function resolveDataPath(notebookDir: string, rel: string): string {
  if (isAbsolutePath(rel)) throw new Error(`data path '${rel}' is absolute: notebook data paths are relative to the notebook's folder`);
  const dir = parseAbsolute(notebookDir);
  if (!dir) throw new Error(`the notebook folder '${notebookDir}' is not an absolute path`);
  const parts = normaliseParts([...dir.parts, ...rel.split(/[\\/]/)], true);
  if (!dir.windows) return '/' + parts.join('/');
  // "C:" + "\\" + parts; a UNC root already names its share, so join with one separator.
  return dir.root + '\\' + parts.join('\\');
}
