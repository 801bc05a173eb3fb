import { handler as system } from '../../functions/system/system';
import { sendMail } from '../../lib/mail/ses';
import { deleteObject, mediaKey, objectExists, putObject } from '../../lib/storage/s3';
import { checkImage } from '../../lib/files/images';
import { ValidationError } from '../../lib/errors';
import { call } from '../helpers/http';
import { lastMailTo } from '../helpers/mail';

/* The S3 and SES stand-ins speak the real AWS protocols to the real SDK clients. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

it('stores, serves through /media and deletes an object', async () => {
  const key = mediaKey(7, 'users', 'png');
  expect(key).toMatch(/^tenants\/7\/users\/[0-9a-f-]{36}\.png$/);
  await putObject(key, PNG, 'image/png');
  expect(await objectExists(key)).toBe(true);
  const res = await call(system, { path: `/media/${key}` });
  expect(res.status).toBe(302);
  const fetched = await fetch(res.headers.location);
  expect(Buffer.from(await fetched.arrayBuffer()).equals(PNG)).toBe(true);
  await deleteObject(key);
  expect(await objectExists(key)).toBe(false);
  expect((await call(system, { path: '/media/../../etc/passwd' })).status).toBe(404);
});

it('sends text + HTML mail that can be read back', async () => {
  const to = `paciente${Date.now()}@test.reflexo.pe`;
  await sendMail({ to, subject: 'Código de verificación', text: 'Su código es 123456', html: '<p>Su código es <b>123456</b></p>' });
  const mail = await lastMailTo(to);
  expect(mail?.subject).toBe('Código de verificación');
  expect(mail?.body.text).toContain('123456');
  expect(mail?.body.html).toContain('<b>123456</b>');
});

describe('image checks', () => {
  const file = (data: Buffer, filename = 'a.jpg') => ({ field: 'photo_file', filename, contentType: 'image/jpeg', data });
  it('accepts PNG and JPEG by their bytes', () => {
    expect(checkImage(file(PNG), 'photo_file').ext).toBe('png');
    expect(checkImage(file(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2])), 'photo_file').contentType).toBe('image/jpeg');
  });
  it.each([
    ['a PHP file named .jpg', Buffer.from('<?php system($_GET["c"]); ?>')],
    ['an SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['an empty file', Buffer.alloc(0)],
    ['a PNG of 2 MB + 1 byte', Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024 + 1 - PNG.length)])],
  ])('refuses %s', (_n, data) => {
    expect(() => checkImage(file(data), 'photo_file')).toThrow(ValidationError);
  });
});
