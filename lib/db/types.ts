import type { CatalogTables } from './tables/catalogs';
import type { ClinicalTables } from './tables/clinical';
import type { CompanyTables } from './tables/company';
import type { CoreTables } from './tables/core';
import type { CrmTables } from './tables/crm';
import type { IdentityTables } from './tables/identity';
import type { LocationTables } from './tables/locations';
import type { MailTables } from './tables/mail';
import type { MoneyTables } from './tables/money';
import type { ScheduleTables } from './tables/schedules';
import type { SchedulingTables } from './tables/scheduling';

/**
 * Every table Kysely knows, one file per area under tables/, each next to the migration that
 * creates it.
 */
export interface Database extends CoreTables, LocationTables, IdentityTables, ClinicalTables, SchedulingTables, CompanyTables, ScheduleTables, MailTables, CatalogTables, MoneyTables, CrmTables {}
