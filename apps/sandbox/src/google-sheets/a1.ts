/**
 * A1 notation as the Sheets values API takes it: `Sheet1!A1:E`, `'My sheet'!A5:E5`, `A1:E` (first
 * sheet), `Sheet1` (whole sheet), `Sheet1!A:E`, `Sheet1!2:5`, `Sheet1!B3`.
 */
export interface A1Range {
  /** Sheet title; undefined means the first sheet. */
  sheet?: string;
  /** 0-based, inclusive. */
  startRow: number;
  startCol: number;
  /** 0-based, inclusive; undefined means to the end of the grid. */
  endRow?: number;
  endCol?: number;
}

export class A1Error extends Error {}

const CELL = /^([A-Za-z]{0,3})([0-9]*)$/; // columns go up to ZZZ

export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function columnLetters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function cell(text: string): { col?: number; row?: number } | undefined {
  const m = CELL.exec(text);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const row = m[2] ? Number(m[2]) - 1 : undefined;
  if (row !== undefined && row < 0) return undefined;
  return { col: m[1] ? columnIndex(m[1]) : undefined, row };
}

/** Parses the cell part (`A1:E5`, `A:E`, `3:3`, `B2`); undefined when it is not A1 notation. */
function cells(text: string): Omit<A1Range, 'sheet'> | undefined {
  const [a, b, ...rest] = text.split(':');
  if (rest.length > 0 || a === undefined) return undefined;
  const from = cell(a);
  if (!from) return undefined;
  if (b === undefined) {
    // A single cell needs both parts.
    if (from.col === undefined || from.row === undefined) return undefined;
    return { startRow: from.row, startCol: from.col, endRow: from.row, endCol: from.col };
  }
  const to = cell(b);
  if (!to) return undefined;
  // `A:E5` and `2:E5` are not ranges.
  if ((from.col === undefined && to.col !== undefined) || (from.row === undefined && to.row !== undefined)) return undefined;
  const startRow = Math.min(from.row ?? 0, to.row ?? Number.MAX_SAFE_INTEGER);
  const startCol = Math.min(from.col ?? 0, to.col ?? Number.MAX_SAFE_INTEGER);
  return {
    startRow,
    startCol,
    endRow: to.row === undefined ? undefined : Math.max(from.row ?? 0, to.row),
    endCol: to.col === undefined ? undefined : Math.max(from.col ?? 0, to.col),
  };
}

export function parseA1(input: string): A1Range {
  const text = input.trim();
  let sheet: string | undefined;
  let rest: string;
  if (text.startsWith("'")) {
    let i = 1;
    let title = '';
    for (; i < text.length; i++) {
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          title += "'";
          i++;
          continue;
        }
        break;
      }
      title += text[i];
    }
    if (i >= text.length) throw new A1Error(`Unable to parse range: ${input}`);
    sheet = title;
    rest = text.slice(i + 1);
    if (rest !== '' && !rest.startsWith('!')) throw new A1Error(`Unable to parse range: ${input}`);
    rest = rest.slice(1);
  } else {
    const bang = text.indexOf('!');
    if (bang >= 0) {
      sheet = text.slice(0, bang);
      rest = text.slice(bang + 1);
    } else {
      // Either cells on the first sheet or a sheet's title.
      const parsed = cells(text);
      if (parsed) return parsed;
      sheet = text;
      rest = '';
    }
  }
  if (sheet === '') throw new A1Error(`Unable to parse range: ${input}`);
  if (rest === '') return { sheet, startRow: 0, startCol: 0 };
  const parsed = cells(rest);
  if (!parsed) throw new A1Error(`Unable to parse range: ${input}`);
  return { sheet, ...parsed };
}

export function quoteSheet(title: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(title) && !cells(title) ? title : `'${title.replace(/'/g, "''")}'`;
}

/** `Sheet1!A1:E5` (bounded) or `Sheet1!A1` for a single cell. */
export function formatA1(sheet: string, startRow: number, startCol: number, endRow: number, endCol: number): string {
  const from = `${columnLetters(startCol)}${startRow + 1}`;
  const to = `${columnLetters(endCol)}${endRow + 1}`;
  return `${quoteSheet(sheet)}!${from === to ? from : `${from}:${to}`}`;
}
