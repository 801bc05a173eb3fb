import type { UploadedFile } from './upload';
import { ValidationError } from '../errors';

/*
 * Photos and logos: JPEG or PNG decided by the bytes themselves (magic numbers), never by the
 * filename or the declared content type; at most 2 MB; never empty.
 */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

export interface CheckedImage {
  data: Buffer;
  ext: 'jpg' | 'png';
  contentType: 'image/jpeg' | 'image/png';
}

export function sniffImage(data: Buffer): CheckedImage | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return { data, ext: 'jpg', contentType: 'image/jpeg' };
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { data, ext: 'png', contentType: 'image/png' };
  }
  return null;
}

/** Validates an uploaded image; errors are attributed to `field` in the surface's error shape. */
export function checkImage(file: UploadedFile | undefined, field: string): CheckedImage {
  if (!file) throw ValidationError.field(field, 'No se envió ningún archivo.', 'missing');
  if (file.data.length === 0) throw ValidationError.field(field, 'El archivo está vacío.', 'empty');
  if (file.data.length > MAX_IMAGE_BYTES) throw ValidationError.field(field, 'La imagen no debe superar los 2 MB.', 'too_large');
  const image = sniffImage(file.data);
  if (!image) throw ValidationError.field(field, 'Formato no permitido. Solo se aceptan imágenes JPG, JPEG o PNG.', 'invalid_image');
  return image;
}
