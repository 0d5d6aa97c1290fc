import type { FastifyRequest } from 'fastify';
import { recordAudit } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { ApiError } from '../http/api-error.ts';
import { CsvRejectedError, parseDatasetCsv } from './csv-dataset.ts';
import { type Dataset, insertDataset } from './datasets-repo.ts';
import { assertCsvFile, type UploadedForm } from './upload-reader.ts';

const maxNameLength = 200;

function describeRejection(error: CsvRejectedError): ApiError {
  const [first, ...rest] = error.problems;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
  return new ApiError(
    'invalid_csv',
    `The file was not stored. ${first?.problem ?? 'It is not a valid CSV.'}${more}`,
    error.problems,
  );
}

export async function recordRefusedUpload(
  ctx: AppContext,
  principal: Principal,
  ip: string,
  error: ApiError,
  filename: string | undefined,
) {
  await withTenant(ctx.pool, principal.tenant.id, (db) =>
    recordAudit(db, principal.tenant.id, {
      action: 'dataset.upload',
      outcome: 'failure',
      actorId: principal.userId,
      actorEmail: principal.email,
      targetType: 'dataset',
      ip,
      details: { reason: error.code, filename },
    }),
  );
}

/**
 * Validates an uploaded form and stores the dataset with its rows, all or nothing. A refused
 * upload leaves only an audit entry saying it was refused.
 */
export async function storeUploadedDataset(
  ctx: AppContext,
  principal: Principal,
  request: FastifyRequest,
  form: UploadedForm,
): Promise<Dataset> {
  const file = form.file;
  try {
    if (!file) {
      throw new ApiError('validation_failed', 'Attach a CSV file in the "file" field and upload again.', [
        { field: 'file', problem: 'attach a CSV file' },
      ]);
    }
    assertCsvFile(file);
    const name = (form.fields.name?.trim() || file.filename.replace(/\.csv$/i, '')).slice(0, maxNameLength);
    let parsed: Awaited<ReturnType<typeof parseDatasetCsv>>;
    try {
      parsed = await parseDatasetCsv(file.content.toString('utf8'), ctx.config.upload, {
        labelColumn: form.fields.labelColumn?.trim() || undefined,
      });
    } catch (error) {
      if (error instanceof CsvRejectedError) throw describeRejection(error);
      throw error;
    }
    return await withTenant(ctx.pool, principal.tenant.id, async (db) => {
      const dataset = await insertDataset(
        db,
        principal.tenant.id,
        principal.userId,
        name,
        parsed,
        ctx.clock.now(),
      );
      await recordAudit(db, principal.tenant.id, {
        action: 'dataset.upload',
        outcome: 'success',
        actorId: principal.userId,
        actorEmail: principal.email,
        targetType: 'dataset',
        targetId: dataset.id,
        ip: request.ip,
        details: { name: dataset.name, rows: dataset.rows, columns: dataset.columns.length },
      });
      return dataset;
    });
  } catch (error) {
    if (error instanceof ApiError && error.statusCode < 500)
      await recordRefusedUpload(ctx, principal, request.ip, error, file?.filename);
    throw error;
  }
}
