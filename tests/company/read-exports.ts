import type { Workbook } from 'exceljs';

/* Opens what an export produced: the workbook through exceljs, the PDF's text through pdf-parse. */

export async function readXlsx(data: Buffer): Promise<Workbook> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  return wb;
}

export interface PdfText {
  text: string;
  pages: number;
}

export async function readPdf(data: Buffer): Promise<PdfText> {
  // pdf-parse's own wrapper hands pdf.js the Buffer as is, which misreads some documents; the
  // pdf.js build it ships is called directly with a plain Uint8Array instead.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pdfjs = require('pdf-parse/lib/pdf.js/v2.0.550/build/pdf.js');
  pdfjs.disableWorker = true;
  const doc = await pdfjs.getDocument({ data: new Uint8Array(data), verbosity: 0 });
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((i: { str: string }) => i.str).join('\n'));
  }
  await doc.destroy();
  return { text: pages.join('\n'), pages: doc.numPages };
}

/** The values of one worksheet row, 1-based like the sheet (index 0 unused). */
export const rowValues = (wb: Workbook, sheet: string | number, row: number) => wb.getWorksheet(sheet)!.getRow(row).values as unknown[];
