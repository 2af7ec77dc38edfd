/**
 * exceljs, loaded on first use: loading it takes half a second on a quiet machine and several
 * on a busy one, and most starts of the server and of the CLI never touch a workbook (the
 * restart and the CLI's other commands must not pay for it).
 */
type ExcelJs = typeof import('exceljs');

let loading: Promise<ExcelJs> | undefined;

export function excelJs(): Promise<ExcelJs> {
  loading ??= import('exceljs').then((module) => module.default);
  return loading;
}
