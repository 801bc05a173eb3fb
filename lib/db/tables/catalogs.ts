import type { Generated } from 'kysely';
import type { CreatedAt } from './columns';

/* Per-clinic catalogs of the v1 surface (migration 0025). */
export interface ClinicCatalogEntriesTable {
  id: Generated<number>;
  reflexo_id: number;
  catalog: 'specialties' | 'sources' | 'insurers' | 'business_lines';
  name: string;
  description: string | null;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
}

export interface CatalogTables {
  clinic_catalog_entries: ClinicCatalogEntriesTable;
}
