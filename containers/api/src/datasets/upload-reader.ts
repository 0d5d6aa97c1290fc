import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error.ts';

export interface UploadedForm {
  file: { filename: string; mimetype: string; content: Buffer } | null;
  fields: Record<string, string>;
}

/** What browsers and tools send for .csv files. */
const csvMediaTypes = new Set([
  'text/csv',
  'application/csv',
  'text/x-csv',
  'application/x-csv',
  'text/comma-separated-values',
  'application/vnd.ms-excel',
  'text/plain',
]);

const formatBytes = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`
    : `${Math.ceil(bytes / 1024)} KB`;

export const fileTooLarge = (maxBytes: number) =>
  new ApiError(
    'payload_too_large',
    `The file is larger than the ${formatBytes(maxBytes)} limit; upload a smaller file.`,
    [{ limit: 'size', maxBytes }],
  );

/**
 * Reads a multipart form: text fields, and the `file` part into memory up to the size limit.
 * The limit is enforced by the parser while the bytes stream in, so an oversized upload is
 * cut off at the limit, never buffered whole.
 */
export async function readUploadForm(request: FastifyRequest, maxBytes: number): Promise<UploadedForm> {
  if (!request.isMultipart()) {
    throw new ApiError(
      'unsupported_media_type',
      'Upload the CSV as multipart/form-data with the file in a field named "file".',
    );
  }
  const form: UploadedForm = { file: null, fields: {} };
  try {
    for await (const part of request.parts({
      limits: { fileSize: maxBytes, files: 2, fields: 20, fieldSize: 10_000 },
    })) {
      if (part.type === 'file') {
        const file = part as MultipartFile;
        const content = await file.toBuffer();
        if (file.fieldname === 'file' && !form.file) {
          form.file = { filename: file.filename, mimetype: file.mimetype, content };
        }
      } else if (typeof part.value === 'string') {
        form.fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw fileTooLarge(maxBytes);
    throw error;
  }
  return form;
}

/** Only .csv files of a CSV-ish media type; the check happens before any parsing. */
export function assertCsvFile(file: { filename: string; mimetype: string }): void {
  const mediaType = file.mimetype.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!file.filename.toLowerCase().endsWith('.csv') || !csvMediaTypes.has(mediaType)) {
    throw new ApiError(
      'unsupported_media_type',
      `Only CSV files can be uploaded; "${file.filename}" (${mediaType || 'no type'}) is not a .csv file of type text/csv.`,
      [{ filename: file.filename, mediaType }],
    );
  }
}
