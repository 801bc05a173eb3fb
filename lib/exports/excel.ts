import type { Column, Report, Table } from './table';

/*
 * Excel exports (exceljs, evaluated on first use: it is heavy and most requests never need it). Each
 * table becomes one worksheet: company name, report title, period, then bold frozen headers with an
 * autofilter, typed cells (numbers, real dates, money with two decimals) and a totals row whose
 * formulas carry the SQL-computed value as their cached result.
 *
 * Unlike pdfkit and zxcvbn-ts, exceljs stays inside the bundle (serverless.yml custom.esbuild): the
 * import() below becomes a lazily evaluated module there. Packed as node_modules instead, its first
 * load reads its and its dependencies' hundreds of files and took ~140 ms more CPU than parsing the
 * bundled copy (measured with the same workbook), which every export container would pay.
 */

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const HEADER_ROW = 5;
const MONEY_FORMAT = '"S/" #,##0.00';
const DATE_FORMAT = 'dd/mm/yyyy';

const columnLetter = (n: number) => {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
};

function cellValue(col: Column, value: unknown): unknown {
  if (value === null || value === undefined || value === '') return null;
  switch (col.kind) {
    case 'int':
      return Number(value);
    // Spreadsheet cells are IEEE doubles by nature; the exact decimal is what SQL summed.
    case 'money':
    case 'percent':
      return Number(value);
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(String(value)) ? new Date(`${value}T00:00:00Z`) : String(value);
    case 'time':
      return String(value).slice(0, 5);
    default:
      return String(value);
  }
}

const numFmt = (col: Column) =>
  col.kind === 'money' ? MONEY_FORMAT : col.kind === 'date' ? DATE_FORMAT : col.kind === 'int' ? '0' : col.kind === 'percent' ? '0.00"%"' : undefined;

function addSheet(wb: import('exceljs').Workbook, report: Report, table: Table) {
  const ws = wb.addWorksheet(table.name.slice(0, 31), {
    views: [{ state: 'frozen', ySplit: HEADER_ROW, xSplit: 0, activeCell: `A${HEADER_ROW + 1}` }],
    pageSetup: { paperSize: 9, orientation: report.landscape ? 'landscape' : 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const width = table.columns.length;
  const last = columnLetter(width);
  ws.columns = table.columns.map((c) => ({ key: c.key, width: c.width, style: numFmt(c) ? { numFmt: numFmt(c) } : {} }));

  const heading = (row: number, text: string, font: Partial<import('exceljs').Font>) => {
    ws.mergeCells(`A${row}:${last}${row}`);
    const cell = ws.getCell(`A${row}`);
    cell.value = text;
    cell.font = font;
    cell.alignment = { vertical: 'middle', horizontal: 'left' };
  };
  heading(1, report.companyName, { bold: true, size: 16, color: { argb: 'FF1F3A5F' } });
  heading(2, `${report.title}${table.name !== report.title ? ` — ${table.name}` : ''}`, { bold: true, size: 12 });
  heading(3, `${report.period} · ${report.generated}`, { italic: true, size: 10, color: { argb: 'FF555555' } });
  ws.getRow(1).height = 22;

  const header = ws.getRow(HEADER_ROW);
  table.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF2C3E50' } };
    cell.alignment = { vertical: 'middle', horizontal: ['money', 'int', 'percent'].includes(c.kind) ? 'right' : 'left' };
    cell.border = { bottom: { style: 'thin' } };
  });
  header.height = 18;

  let rowNo = HEADER_ROW;
  for (const r of table.rows) {
    rowNo++;
    const row = ws.getRow(rowNo);
    table.columns.forEach((c, i) => {
      row.getCell(i + 1).value = cellValue(c, r[c.key]) as never;
    });
  }
  const firstData = HEADER_ROW + 1;
  const lastData = Math.max(rowNo, firstData);
  ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: lastData, column: width } };

  if (!table.rows.length && table.emptyMessage) {
    rowNo++;
    ws.mergeCells(`A${rowNo}:${last}${rowNo}`);
    ws.getCell(`A${rowNo}`).value = table.emptyMessage;
    ws.getCell(`A${rowNo}`).font = { italic: true };
  }

  if (table.totals) {
    rowNo += 1;
    const row = ws.getRow(rowNo);
    row.getCell(1).value = table.totals.label;
    table.columns.forEach((c, i) => {
      if (i === 0 || !(c.key in table.totals!.values)) return;
      const result = cellValue(c, table.totals!.values[c.key]) as number;
      const col = columnLetter(i + 1);
      row.getCell(i + 1).value = table.rows.length ? { formula: `SUM(${col}${firstData}:${col}${lastData})`, result } : result;
    });
    row.font = { bold: true };
    row.eachCell((cell) => (cell.border = { top: { style: 'thin' }, bottom: { style: 'double' } }));
  }
}

export async function buildWorkbook(report: Report): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = report.companyName;
  wb.title = report.title;
  wb.created = new Date();
  for (const t of report.tables) addSheet(wb, report, t);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
