import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { awsClientDefaults, config } from '../config';
import { ServiceUnavailable } from '../errors';

/*
 * Photos and logos in a private S3 bucket. The SDK is loaded on first use, never at cold start.
 * Keys are generated here (tenant prefix + kind + random id), never taken from a client's filename.
 * Locally S3_ENDPOINT points at s3rver (path-style; checksums only when required, or streamed bodies
 * would be stored with their aws-chunked framing).
 */
let client: Promise<{ s3: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | undefined;
function sdkClient() {
  client ??= import('@aws-sdk/client-s3').then((sdk) => ({
    sdk,
    s3: new sdk.S3Client({
      ...awsClientDefaults(),
      ...(config.s3Endpoint ? { endpoint: config.s3Endpoint, forcePathStyle: true } : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  }));
  return client;
}

export type MediaKind = 'users' | 'therapists' | 'company';

/** `tenants/<id|global>/<kind>/<uuid>.<ext>`: IAM grants each function only its kind's prefix. */
export const mediaKey = (reflexoId: number | null, kind: MediaKind, ext: string) => `tenants/${reflexoId ?? 'global'}/${kind}/${randomUUID()}.${ext}`;

async function guarded<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey' || (err as { name?: string }).name === 'NotFound') throw err;
    throw new ServiceUnavailable(`El almacenamiento de archivos no está disponible (${op}). Intente nuevamente.`);
  }
}

export async function putObject(key: string, body: Buffer, contentType: string): Promise<void> {
  const { s3, sdk } = await sdkClient();
  await guarded('put', () => s3.send(new sdk.PutObjectCommand({ Bucket: config.s3Bucket, Key: key, Body: body, ContentType: contentType })));
}

export async function deleteObject(key: string): Promise<void> {
  const { s3, sdk } = await sdkClient();
  await guarded('delete', () => s3.send(new sdk.DeleteObjectCommand({ Bucket: config.s3Bucket, Key: key })));
}

export async function objectExists(key: string): Promise<boolean> {
  const { s3, sdk } = await sdkClient();
  try {
    await s3.send(new sdk.HeadObjectCommand({ Bucket: config.s3Bucket, Key: key }));
    return true;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return false;
    throw new ServiceUnavailable('El almacenamiento de archivos no está disponible. Intente nuevamente.');
  }
}

/** The object's bytes (company logos printed on PDF exports), or null when it is missing. */
export async function getObjectBytes(key: string): Promise<Buffer | null> {
  const { s3, sdk } = await sdkClient();
  try {
    const out = await s3.send(new sdk.GetObjectCommand({ Bucket: config.s3Bucket, Key: key }));
    return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : null;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return null;
    throw new ServiceUnavailable('El almacenamiento de archivos no está disponible. Intente nuevamente.');
  }
}

/**
 * A logo printed on a PDF (reports, exports, invoices). The logo is decoration: a missing object or
 * an unreachable bucket must not cost the clinic its document, so both are "no logo".
 */
export async function logoBytes(key: string | null | undefined): Promise<Buffer | null> {
  if (!key) return null;
  try {
    return await getObjectBytes(key);
  } catch {
    return null;
  }
}

export async function presignedGetUrl(key: string, seconds = 300): Promise<string> {
  const [{ s3, sdk }, { getSignedUrl }] = await Promise.all([sdkClient(), import('@aws-sdk/s3-request-presigner')]);
  return getSignedUrl(s3, new sdk.GetObjectCommand({ Bucket: config.s3Bucket, Key: key }), { expiresIn: seconds });
}

/** The URL responses carry for a stored key: `/media/<key>`, served by a redirect to a presigned URL. */
export const mediaUrl = (baseUrl: string, key: string | null | undefined): string | null => (key ? `${baseUrl}/media/${key}` : null);
