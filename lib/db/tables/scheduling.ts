/* Therapists, appointment statuses, appointments and tickets (migration 0006_scheduling, issue 5). */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SchedulingTables {}
