/* Company data and logos (migration 0007_company, issue 6). */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CompanyTables {}
