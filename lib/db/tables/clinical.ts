/* Patients, diagnoses, medical records, histories and configuration catalogs (migration 0005_clinical, issue 4). */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClinicalTables {}
