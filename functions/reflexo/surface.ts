import type { AppError } from '../../lib/errors';
import type { ErrorPresenter } from '../../lib/http/errors';
import { defineGroup, type RouteGroup } from '../../lib/http/route';

/*
 * What the Reflexo contract says about error bodies, beyond DRF's `{"detail"}` and `{"field": [...]}`:
 * some endpoints answer `{"error": "..."}`, booking conflicts add their `code`, a duplicate patient
 * names the holder. The domain only says which situation it is (the error's `code`).
 */
const ERROR_KEY = new Set(['diagnosis_not_found', 'role_not_found', 'logo_exists', 'logo_missing', 'payment_method_required', 'payment_method_invalid', 'ticket_number_required', 'users_forbidden', 'role_protected']);
const DETAIL_AND_CODE = new Set(['therapist_unavailable', 'room_unavailable', 'token_not_valid']);

export const presentReflexoError: ErrorPresenter = (e: AppError) => {
  if (!e.code) return undefined;
  if (ERROR_KEY.has(e.code)) return { error: e.message };
  if (DETAIL_AND_CODE.has(e.code)) return { detail: e.message, code: e.code };
  if (e.code === 'patient_exists') return { message: e.message, data: e.data?.holder };
  if (e.code === 'history_exists') return { error: e.message, existing_history_id: e.data?.existing_history_id ?? null };
  return undefined;
};

/** A Reflexo route group: its errors speak the Reflexo contract. */
export const defineReflexoGroup = (g: Omit<RouteGroup, 'presentError'>): RouteGroup => defineGroup({ ...g, presentError: presentReflexoError });
