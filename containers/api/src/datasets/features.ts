import type { Cell, DatasetColumn } from './csv-dataset.ts';

/** Features are the numeric columns other than the label; text and timestamps are carried, not scored. */
export function featureColumns(columns: DatasetColumn[], labelColumn: string | null): DatasetColumn[] {
  return columns.filter((column) => column.type === 'number' && column.name !== labelColumn);
}

export interface DetectionMatrix {
  features: number[][];
  labels: boolean[] | null;
}

/** Rows × features with missing cells as NaN (the algorithms impute them), plus the labels if any. */
export function toDetectionMatrix(
  columns: DatasetColumn[],
  labelColumn: string | null,
  rows: Cell[][],
): DetectionMatrix {
  const indexes = featureColumns(columns, labelColumn).map((feature) => columns.indexOf(feature));
  const labelIndex = labelColumn === null ? -1 : columns.findIndex((column) => column.name === labelColumn);
  return {
    features: rows.map((row) =>
      indexes.map((index) => {
        const cell = row[index];
        return typeof cell === 'number' ? cell : Number.NaN;
      }),
    ),
    labels: labelIndex < 0 ? null : rows.map((row) => row[labelIndex] === true),
  };
}
