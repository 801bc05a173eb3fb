import type { Generated } from 'kysely';
import type { CreatedAt, Timestamp } from './columns';

/* Company data and logos (migration 0007_company, issue 6). */

export interface CompanyDataTable {
  id: Generated<number>;
  reflexo_id: number;
  company_name: string;
  /** S3 key of a logo we stored (tenants/<id>/company/<uuid>.<ext>). */
  logo_key: string | null;
  /** A logo given as a URL in JSON; never fetched by the server. */
  logo_external_url: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CompanyTables {
  company_data: CompanyDataTable;
}
