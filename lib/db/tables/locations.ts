import type { CreatedAt, NullableTimestamp, Timestamp } from './columns';

/* Peru's ubigeo (migration 0002): ids are the INEI codes. */

export interface RegionsTable {
  id: number;
  name: string;
  ubigeo_code: number;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface ProvincesTable {
  id: number;
  name: string;
  ubigeo_code: number;
  sequence: number;
  region_id: number;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface DistrictsTable {
  id: number;
  name: string;
  ubigeo_code: number;
  sequence: number;
  province_id: number;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface LocationTables {
  regions: RegionsTable;
  provinces: ProvincesTable;
  districts: DistrictsTable;
}
