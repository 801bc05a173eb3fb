import type { Column, Report, Table } from './table';
import { displayCell } from './table';

/*
 * PDF exports (pdfkit, loaded on first use). A4, a header on every page with the logo, company
 * name, title and period; tables that continue on the next page with their header row repeated;
 * totals rows; "Página n de m" in every footer (pages are buffered so the count is known).
 * The standard Helvetica font covers Spanish (WinAnsi), so no font files are shipped.
 */

export const PDF_TYPE = 'application/pdf';

const MARGIN = 40;
const HEADER_HEIGHT = 78;
const FOOTER_HEIGHT = 28;
const ROW_HEIGHT = 16;
const CELL_PAD = 4;
const NAVY = '#1f3a5f';
const HEADER_FILL = '#2c3e50';
const ZEBRA = '#f3f5f8';

type Doc = PDFKit.PDFDocument;

/*
 * pdfkit is not bundled (serverless.yml custom.esbuild.external): it is packed as node_modules into
 * the zips of the functions that export PDFs and required here at the first PDF, so no other request
 * pays for it. Loaded from its package it reads its standard-font metrics (require('#standard-fonts/…')
 * through its package.json `imports`) as it does anywhere; bundled, that lookup would fail.
 * require, not import(): pdfkit's CommonJS build, as the cjs bundle takes it.
 */
let pdfkit: typeof import('pdfkit') | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadPdfkit = (): typeof import('pdfkit') => (pdfkit ??= require('pdfkit') as typeof import('pdfkit'));

const rightAligned = (c: Column) => ['money', 'int', 'percent'].includes(c.kind);

function drawPageHeader(doc: Doc, report: Report) {
  const width = doc.page.width - 2 * MARGIN;
  let textX = MARGIN;
  if (report.logo) {
    try {
      doc.image(report.logo, MARGIN, MARGIN - 10, { fit: [56, 56] });
      textX = MARGIN + 66;
    } catch {
      /* an unreadable logo must not cost the clinic its report */
    }
  }
  doc.fillColor(NAVY).font('Helvetica-Bold').fontSize(16).text(report.companyName, textX, MARGIN - 8, { width: width - (textX - MARGIN), lineBreak: false, ellipsis: true });
  doc.fillColor('#000').font('Helvetica-Bold').fontSize(12).text(report.title, textX, MARGIN + 12, { width: width - (textX - MARGIN), lineBreak: false, ellipsis: true });
  doc.fillColor('#444').font('Helvetica').fontSize(9).text(`${report.period}   ·   ${report.generated}`, textX, MARGIN + 30, { width: width - (textX - MARGIN), lineBreak: false, ellipsis: true });
  doc.moveTo(MARGIN, MARGIN + HEADER_HEIGHT - 24).lineTo(MARGIN + width, MARGIN + HEADER_HEIGHT - 24).lineWidth(1).strokeColor(NAVY).stroke();
  doc.fillColor('#000');
}

function layout(doc: Doc, columns: Column[]) {
  const width = doc.page.width - 2 * MARGIN;
  const total = columns.reduce((s, c) => s + c.width, 0);
  let x = MARGIN;
  return columns.map((c) => {
    const w = (c.width / total) * width;
    const cell = { x, w };
    x += w;
    return cell;
  });
}

function drawRow(doc: Doc, columns: Column[], cells: { x: number; w: number }[], values: string[], y: number, style: 'header' | 'body' | 'zebra' | 'total') {
  const width = doc.page.width - 2 * MARGIN;
  if (style === 'header') doc.rect(MARGIN, y, width, ROW_HEIGHT).fill(HEADER_FILL);
  if (style === 'zebra') doc.rect(MARGIN, y, width, ROW_HEIGHT).fill(ZEBRA);
  if (style === 'total') doc.rect(MARGIN, y, width, ROW_HEIGHT).fill('#e4e9f0');
  doc.fillColor(style === 'header' ? '#fff' : '#000').font(style === 'header' || style === 'total' ? 'Helvetica-Bold' : 'Helvetica').fontSize(8.5);
  columns.forEach((c, i) => {
    // A label (first cell of a totals row) may spill over the empty cells that follow it.
    let span = 1;
    while (i === 0 && style === 'total' && i + span < columns.length && !values[i + span]) span++;
    if (i > 0 && style === 'total' && !values[i]) return;
    const w = cells.slice(i, i + span).reduce((sum, cell) => sum + cell.w, 0);
    doc.text(values[i] ?? '', cells[i].x + CELL_PAD, y + 4.5, {
      width: w - 2 * CELL_PAD,
      height: ROW_HEIGHT - 4,
      align: rightAligned(c) && !(style === 'total' && i === 0) ? 'right' : 'left',
      lineBreak: false,
      ellipsis: true,
    });
  });
  if (style === 'total') doc.moveTo(MARGIN, y).lineTo(MARGIN + width, y).lineWidth(0.8).strokeColor('#000').stroke();
  doc.fillColor('#000');
}

export async function buildPdf(report: Report): Promise<Buffer> {
  const PDFDocument = loadPdfkit();
  const doc: Doc = new PDFDocument({
    size: 'A4',
    layout: report.landscape ? 'landscape' : 'portrait',
    margins: { top: MARGIN + HEADER_HEIGHT, bottom: MARGIN + FOOTER_HEIGHT, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: { Title: `${report.title} — ${report.companyName}`, Author: report.companyName, Creator: 'Reflexo' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  drawPageHeader(doc, report);
  doc.on('pageAdded', () => drawPageHeader(doc, report));
  const bottom = () => doc.page.height - MARGIN - FOOTER_HEIGHT;
  let y = MARGIN + HEADER_HEIGHT - 12;

  const ensureRoom = (needed: number, table?: Table, cells?: { x: number; w: number }[]) => {
    if (y + needed <= bottom()) return;
    doc.addPage();
    y = MARGIN + HEADER_HEIGHT - 12;
    if (table && cells) {
      doc.fillColor('#666').font('Helvetica-Oblique').fontSize(8).text(`${table.name} (continuación)`, MARGIN, y, { lineBreak: false });
      y += 12;
      drawRow(doc, table.columns, cells, table.columns.map((c) => c.header), y, 'header');
      y += ROW_HEIGHT;
    }
  };

  for (const table of report.tables) {
    const cells = layout(doc, table.columns);
    ensureRoom(18 + 2 * ROW_HEIGHT);
    doc.fillColor(NAVY).font('Helvetica-Bold').fontSize(11).text(table.name, MARGIN, y, { lineBreak: false });
    y += 18;
    drawRow(doc, table.columns, cells, table.columns.map((c) => c.header), y, 'header');
    y += ROW_HEIGHT;
    if (!table.rows.length) {
      doc.fillColor('#666').font('Helvetica-Oblique').fontSize(9).text(table.emptyMessage ?? 'Sin registros.', MARGIN + CELL_PAD, y + 4, { lineBreak: false });
      y += ROW_HEIGHT;
    }
    table.rows.forEach((r, i) => {
      ensureRoom(ROW_HEIGHT, table, cells);
      drawRow(doc, table.columns, cells, table.columns.map((c) => displayCell(c.kind, r[c.key] ?? null)), y, i % 2 ? 'zebra' : 'body');
      y += ROW_HEIGHT;
    });
    if (table.totals) {
      ensureRoom(ROW_HEIGHT, table, cells);
      const values = table.columns.map((c, i) => (i === 0 ? table.totals!.label : c.key in table.totals!.values ? displayCell(c.kind, table.totals!.values[c.key]) : ''));
      drawRow(doc, table.columns, cells, values, y, 'total');
      y += ROW_HEIGHT;
    }
    y += 16;
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const footerY = doc.page.height - MARGIN - 12;
    // Writing inside the bottom margin must not trigger pdfkit's automatic page break.
    const savedBottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fillColor('#666').font('Helvetica').fontSize(8);
    doc.text(report.companyName, MARGIN, footerY, { lineBreak: false, width: 300, ellipsis: true });
    doc.text(`Página ${i + 1} de ${range.count}`, MARGIN, footerY, { width: doc.page.width - 2 * MARGIN, align: 'right', lineBreak: false });
    doc.page.margins.bottom = savedBottom;
  }
  doc.end();
  return done;
}
