import { z } from 'zod';
import type { ResponseSpec } from '../../lib/http/route';
import { timestamp } from '../../lib/http/schemas';
import type { CodeReceipt } from '../../lib/domain/identity-security';

/* Reflexo shapes that several identity route tables share (modules 1–2). */

export const Message = z.object({ message: z.string() });

/** `code` only with the development flag (DEV_EXPOSE_CODES); in a deployed stage it is only e-mailed. */
export const CodeSent = z.object({ message: z.string(), code: z.string().optional(), expires_at: timestamp });

export const codeSent = (message: string, r: CodeReceipt) => ({
  message,
  ...(r.code !== undefined ? { code: r.code } : {}),
  expires_at: r.expiresAt.toISOString(),
});

/** Every authenticated route refuses a user whose clinic was deactivated (the request probe, lib/http/app.ts). */
export const inactiveClinic: Record<number, ResponseSpec> = {
  403: { description: 'La clínica del usuario está desactivada: `{"detail": "La clínica de este usuario está desactivada."}`' },
};
