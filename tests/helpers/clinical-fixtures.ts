import { ownerKysely, uniq } from './fixtures';

/*
 * Clinical rows written straight through the owner connection, for tests that need a patient or a
 * diagnosis to exist without going through the API. Unique values per call, so tests never collide.
 */
let seq = 0;
const uniqueDigits = () => `${Date.now() % 1_000_000}${process.pid % 100}${(seq++ % 100).toString().padStart(2, '0')}`.slice(-10);

export async function insertPatient(reflexoId: number, values: Record<string, unknown> = {}): Promise<{ id: number; document_number: string; email: string }> {
  const row = await ownerKysely()
    .insertInto('patients')
    .values({
      reflexo_id: reflexoId,
      document_type_id: 1,
      document_number: uniqueDigits(),
      name: 'Paciente',
      paternal_lastname: 'Prueba',
      maternal_lastname: 'Test',
      email: `${uniq('p')}@example.com`,
      region_id: 15,
      province_id: 1501,
      district_id: 150122,
      ocupation: 'Docente',
      health_condition: 'Sano',
      ...values,
    })
    .returning(['id', 'document_number', 'email'])
    .executeTakeFirstOrThrow();
  return row as { id: number; document_number: string; email: string };
}

export async function insertDiagnosis(values: Record<string, unknown> = {}): Promise<{ id: number; code: string }> {
  const row = await ownerKysely()
    .insertInto('diagnoses')
    .values({ code: uniq('DX-'), name: 'Lumbalgia', ...values })
    .returning(['id', 'code'])
    .executeTakeFirstOrThrow();
  return row as { id: number; code: string };
}

/** A patient body the create route accepts (ubigeo: Lima / Lima / Miraflores). */
export const patientBody = (over: Record<string, unknown> = {}) => ({
  document_number: uniqueDigits(),
  paternal_lastname: 'González',
  maternal_lastname: 'López',
  name: 'María',
  email: `${uniq('maria')}@example.com`,
  phone1: '987654321',
  sex: 'F',
  address: 'Calle Secundaria 456',
  document_type_id: 1,
  region_code: 15,
  province_code: 1501,
  district_code: 150122,
  ocupation: 'Estudiante',
  health_condition: 'Sin antecedentes',
  ...over,
});
