import type { RouteGroup } from '../lib/http/route';
import { group as appointmentsAppointments } from './reflexo/appointments-appointments';
import { group as appointmentsStatuses } from './reflexo/appointment-statuses';
import { group as appointmentsTickets } from './reflexo/appointments-tickets';
import { group as architectAudit } from './reflexo/architect-audit';
import { group as architectAuth } from './reflexo/architect-auth';
import { group as architectRoles } from './reflexo/architect-roles';
import { group as architectTenants } from './reflexo/architect-tenants';
import { group as architectUsers } from './reflexo/architect-users';
import { group as companyCompany } from './reflexo/company-company';
import { group as companyExports } from './reflexo/company-exports';
import { group as companyReports } from './reflexo/company-reports';
import { group as companyStatistics } from './reflexo/company-statistics';
import { group as configurationsDocumentTypes } from './reflexo/configurations-document-types';
import { group as configurationsHistories } from './reflexo/configurations-histories';
import { group as configurationsPaymentStatuses } from './reflexo/configurations-payment-statuses';
import { group as configurationsPaymentTypes } from './reflexo/configurations-payment-types';
import { group as configurationsPredeterminedPrices } from './reflexo/configurations-predetermined-prices';
import { group as locations } from './reflexo/locations';
import { group as patientsDiagnoses } from './reflexo/patients-diagnoses';
import { group as patientsMedicalRecords } from './reflexo/patients-medical-records';
import { group as patientsPatients } from './reflexo/patients-patients';
import { group as profilesPassword } from './reflexo/profiles-password';
import { group as profilesUsers } from './reflexo/profiles-users';
import { group as profilesVerification } from './reflexo/profiles-verification';
import { group as system } from './system/system';
import { group as therapistsTherapists } from './reflexo/therapists-therapists';
import { group as v1Auth } from './v1/auth';
import { group as v1Birthdays } from './v1/birthdays';
import { group as v1Catalogs } from './v1/catalogs';
import { group as v1Config } from './v1/config';
import { group as v1Doctors } from './v1/doctors';
import { group as v1Appointments } from './v1/appointments';
import { group as v1Patients } from './v1/patients';
import { group as v1Users } from './v1/users';
import { group as v1Segments } from './v1/segments';
import { group as v1Campaigns } from './v1/campaigns';
import { group as v1Automations } from './v1/automations';
import { group as v1Chat } from './v1/chat';
import { group as v1Invoices } from './v1/invoices';
import { group as v1Products } from './v1/products';
import { group as v1Transactions } from './v1/transactions';
import { group as v1Reports } from './v1/reports';

/**
 * Every deployed route group. The OpenAPI document and the serverless.yml consistency test read this
 * list; a new function file is added here and in serverless.yml (the test fails until both agree).
 */
export const groups: RouteGroup[] = [system, locations, architectAudit, companyCompany, companyStatistics, companyReports, companyExports, architectAuth, architectUsers, architectRoles, architectTenants, profilesUsers, profilesPassword, profilesVerification, patientsDiagnoses, patientsPatients, patientsMedicalRecords, configurationsHistories, configurationsDocumentTypes, configurationsPaymentTypes, configurationsPaymentStatuses, configurationsPredeterminedPrices, therapistsTherapists, appointmentsAppointments, appointmentsStatuses, appointmentsTickets, v1Auth, v1Users, v1Doctors, v1Patients, v1Appointments, v1Birthdays, v1Catalogs, v1Config, v1Transactions, v1Invoices, v1Products, v1Reports, v1Segments, v1Campaigns, v1Automations, v1Chat];
