import type { Db } from '../db/pool.ts';
import type { Cell, DatasetColumn, ParsedDataset } from './csv-dataset.ts';
import { type DatasetProfile, profileDataset } from './profile.ts';

export interface Dataset {
  id: string;
  name: string;
  rows: number;
  columns: string[];
  labelColumn: string | null;
  labelled: boolean;
  createdAt: string;
  profile: DatasetProfile;
}

interface DatasetRow {
  id: string;
  name: string;
  row_count: number;
  columns: DatasetColumn[];
  label_column: string | null;
  created_at: Date;
  profile: DatasetProfile;
}

const toDataset = (row: DatasetRow): Dataset => ({
  id: row.id,
  name: row.name,
  rows: row.row_count,
  columns: row.columns.map((column) => column.name),
  labelColumn: row.label_column,
  labelled: row.label_column !== null,
  createdAt: row.created_at.toISOString(),
  profile: row.profile,
});

const selectColumns = 'id, name, row_count, columns, label_column, created_at, profile';

/** Rows are stored as JSON arrays of this many rows: few statements, none too large. */
const rowsPerChunk = 5_000;

export async function insertDataset(
  db: Db,
  tenantId: string,
  createdBy: string,
  name: string,
  parsed: ParsedDataset,
  /** The upload time by the platform clock, which retention counts from. */
  createdAt: Date = new Date(),
): Promise<Dataset> {
  const profile = profileDataset(parsed.columns, parsed.rows);
  const { rows } = await db.query<DatasetRow>(
    `INSERT INTO datasets (tenant_id, name, columns, label_column, row_count, profile, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${selectColumns}`,
    [
      tenantId,
      name,
      JSON.stringify(parsed.columns),
      parsed.labelColumn,
      parsed.rows.length,
      profile,
      createdBy,
      createdAt,
    ],
  );
  const dataset = rows[0] as DatasetRow;
  for (let offset = 0, chunk = 0; offset < parsed.rows.length; offset += rowsPerChunk, chunk += 1) {
    await db.query(
      'INSERT INTO dataset_chunks (dataset_id, tenant_id, chunk_no, first_row, cells) VALUES ($1, $2, $3, $4, $5)',
      [
        dataset.id,
        tenantId,
        chunk,
        offset + 1,
        JSON.stringify(parsed.rows.slice(offset, offset + rowsPerChunk)),
      ],
    );
  }
  return toDataset(dataset);
}

export async function listDatasets(
  db: Db,
  tenantId: string,
  page: { limit: number; offset: number },
): Promise<{ items: Dataset[]; total: number }> {
  const [items, total] = await Promise.all([
    db.query<DatasetRow>(
      `SELECT ${selectColumns} FROM datasets WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3`,
      [tenantId, page.limit, page.offset],
    ),
    db.query<{ total: number }>('SELECT count(*)::int AS total FROM datasets WHERE tenant_id = $1', [
      tenantId,
    ]),
  ]);
  return { items: items.rows.map(toDataset), total: total.rows[0]?.total ?? 0 };
}

export async function findDataset(
  db: Db,
  tenantId: string,
  id: string,
): Promise<(Dataset & { columnTypes: DatasetColumn[] }) | null> {
  const { rows } = await db.query<DatasetRow>(
    `SELECT ${selectColumns} FROM datasets WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  const row = rows[0];
  return row ? { ...toDataset(row), columnTypes: row.columns } : null;
}

/** All data rows in order (index 0 is data row 1). */
export async function loadDatasetRows(db: Db, tenantId: string, datasetId: string): Promise<Cell[][]> {
  const { rows } = await db.query<{ cells: Cell[][] }>(
    'SELECT cells FROM dataset_chunks WHERE tenant_id = $1 AND dataset_id = $2 ORDER BY chunk_no',
    [tenantId, datasetId],
  );
  return rows.flatMap((row) => row.cells);
}
