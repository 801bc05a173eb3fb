import type { Migration } from 'kysely';
import * as m0001 from './0001_core';
import * as m0002 from './0002_locations';
import * as m0003 from './0003_audit';
import * as m0004 from './0004_identity';
import * as m0005 from './0005_clinical';
import * as m0006 from './0006_scheduling';
import * as m0007 from './0007_company';
import * as m0008 from './0008_patient_search';
import * as m0009 from './0009_rls_initplan';
import * as m0010 from './0010_live_counts';
import * as m0011 from './0011_rls_plain';
import * as m0012 from './0012_access';
import * as m0013 from './0013_identity_rules';
import * as m0014 from './0014_clinical_rules';
import * as m0015 from './0015_scheduling_rules';
import * as m0016 from './0016_company_rules';
import * as m0017 from './0017_tenants';
import * as m0020 from './0020_v1_scheduling';
import * as m0021 from './0021_birthday_in';
import * as m0022 from './0022_mail_outbox';
import * as m0023 from './0023_money';
import * as m0024 from './0024_crm';
import * as m0025 from './0025_clinic_catalogs';
import * as m0026 from './0026_report_indexes';
import * as m0027 from './0027_report_indexes_2';
import * as m0028 from './0028_list_indexes';
import * as m0029 from './0029_rls_tenant_first';

/**
 * Every migration, in order. Listed statically (not read from the folder) so the same list works in
 * jest, in tsx scripts and inside a bundle. Add new ones at the end with the next number.
 */
export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_locations': m0002,
  '0003_audit': m0003,
  '0004_identity': m0004,
  '0005_clinical': m0005,
  '0006_scheduling': m0006,
  '0007_company': m0007,
  '0008_patient_search': m0008,
  '0009_rls_initplan': m0009,
  '0010_live_counts': m0010,
  '0011_rls_plain': m0011,
  '0012_access': m0012,
  '0013_identity_rules': m0013,
  '0014_clinical_rules': m0014,
  '0015_scheduling_rules': m0015,
  '0016_company_rules': m0016,
  '0017_tenants': m0017,
  '0020_v1_scheduling': m0020,
  '0021_birthday_in': m0021,
  '0022_mail_outbox': m0022,
  '0023_money': m0023,
  '0024_crm': m0024,
  '0025_clinic_catalogs': m0025,
  '0026_report_indexes': m0026,
  '0027_report_indexes_2': m0027,
  '0028_list_indexes': m0028,
  '0029_rls_tenant_first': m0029,
};
