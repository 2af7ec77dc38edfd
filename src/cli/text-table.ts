/** Plain-text tables for the terminal: aligned columns that count CJK characters as two. */

/** Aligned columns; `right[i]` right-aligns column i. */
export function table(rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell)); });
  return rows.map((row) => row.map((cell, i) => {
    const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(cell)));
    return right[i] === true ? pad + cell : cell + pad;
  }).join('  ').trimEnd());
}

/** Terminal columns: CJK characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return width;
}
