/** A file from a multipart request (lib/http/body.ts), handed to the domain as plain bytes. */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}
