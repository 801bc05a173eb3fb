import { createHandler } from '../../lib/http/app';
import { defineReflexoGroup } from './surface';
import { binary, route, type AnyRoute } from '../../lib/http/route';
import { parseRange, reportScope, type ReportScope } from '../../lib/domain/company-reports';
import {
  appointmentsPerTherapistExport,
  appointmentsRangeExport,
  cashSummaryExport,
  paidTicketsExport,
  patientsByTherapistExport,
  pettyCashExport,
  type ExportFile,
} from '../../lib/domain/company-exports';
import type { Db } from '../../lib/db/tenant';
import { XLSX_TYPE } from '../../lib/exports/excel';
import { PDF_TYPE } from '../../lib/exports/pdf';
import { dayQuery, rangeQuery, reportDay, unknownClinic } from './company-report-schemas';

/*
 * Module 8 of reflexo-api.md: downloadable Excel and PDF reports. `date` defaults to today on the
 * clinic's calendar: the contract's PDF links carry no parameters at all.
 */

const download = (file: ExportFile) =>
  binary(file.data, file.contentType, { 'Content-Disposition': `attachment; filename="${file.filename}"`, 'Cache-Control': 'no-store' });

const file = (contentType: string) => ({ 200: { description: 'Archivo descargable (Content-Disposition: attachment)', contentTypes: [contentType] }, ...unknownClinic });

/** A one-day export: `?date=YYYY-MM-DD`, default today in the clinic's time zone. */
const dayExport = (path: string, summary: string, build: (db: Db, scope: ReportScope, day: string) => Promise<ExportFile>): AnyRoute =>
  route({
    method: 'GET',
    path,
    access: 'user',
    summary,
    query: dayQuery,
    responses: file(path.includes('/pdf/') ? PDF_TYPE : XLSX_TYPE),
    handler: async ({ db, actor, query }) => {
      const { scope, day } = await reportDay(db, actor, query, false);
      return download(await build(db, scope, day));
    },
  });

export const group = defineReflexoGroup({
  name: 'company-exports',
  prefixes: ['/api/company/exports'],
  tag: 'Company exports',
  tenantScoped: true,
  routes: [
    route({
      method: 'GET',
      path: '/api/company/exports/excel/citas-rango/',
      access: 'user',
      summary: 'Excel: citas en rango (?start_date=YYYY-MM-DD&end_date=YYYY-MM-DD)',
      query: rangeQuery,
      responses: file(XLSX_TYPE),
      handler: async ({ db, actor, query }) => {
        const period = parseRange(query.start_date, query.end_date, ['start_date', 'end_date']);
        return download(await appointmentsRangeExport(db, await reportScope(db, actor, query.reflexo_id), period));
      },
    }),
    dayExport('/api/company/exports/excel/caja-chica-mejorada/', 'Excel: caja chica mejorada (?date=YYYY-MM-DD)', (db, s, d) => pettyCashExport(db, s, d, 'xlsx')),
    dayExport('/api/company/exports/excel/tickets-pagados/', 'Excel: tickets pagados (?date=YYYY-MM-DD)', (db, s, d) => paidTicketsExport(db, s, d, 'xlsx')),
    dayExport('/api/company/exports/pdf/citas-terapeuta/', 'PDF: citas por terapeuta (?date=YYYY-MM-DD)', appointmentsPerTherapistExport),
    dayExport('/api/company/exports/pdf/pacientes-terapeuta/', 'PDF: pacientes por terapeuta (?date=YYYY-MM-DD)', patientsByTherapistExport),
    dayExport('/api/company/exports/pdf/resumen-caja/', 'PDF: resumen de caja (?date=YYYY-MM-DD)', cashSummaryExport),
    dayExport('/api/company/exports/pdf/caja-chica-mejorada/', 'PDF: caja chica mejorada (?date=YYYY-MM-DD)', (db, s, d) => pettyCashExport(db, s, d, 'pdf')),
    dayExport('/api/company/exports/pdf/tickets-pagados/', 'PDF: tickets pagados (?date=YYYY-MM-DD)', (db, s, d) => paidTicketsExport(db, s, d, 'pdf')),
  ],
});

export const handler = createHandler(group);
