/**
 * Macros and tables every pipeline needs, created once per database.
 * Plain core SQL, so both engines (native 1.5, wasm 1.4) accept it.
 */

/** Statements that define the normalisation macros (spec section 1). */
export const SETUP_SQL = [
  // Empty-like tokens of real exports count as empty (GA4 '(not set)', '(direct)').
  `CREATE OR REPLACE MACRO aw_norm(x) AS CASE WHEN list_contains(['', '(not set)', '(none)', '(direct)', 'null', 'none'], lower(trim(CAST(x AS VARCHAR)))) THEN NULL ELSE trim(CAST(x AS VARCHAR)) END`,
  // The same for text that is already trimmed, cheaply: every empty-like token is at most
  // 9 bytes, so lower() runs only on short values (CASE evaluates lazily per row), and
  // list_contains, unlike IN, is not planned as a join over every row.
  `CREATE OR REPLACE MACRO aw_tok(t) AS CASE WHEN strlen(t) > 9 THEN t WHEN list_contains(['', '(not set)', '(none)', '(direct)', 'null', 'none'], lower(t)) THEN NULL ELSE t END`,
  // An exact sum of doubles: a parallel float sum's last bits depend on how the rows were split
  // among threads, which would make outputs differ between runs of the same inputs.
  `CREATE OR REPLACE MACRO aw_sum(x) AS CAST(sum(CAST(x AS DECIMAL(38, 15))) AS DOUBLE)`,
];
