import { type AlgorithmName, ParamsError, parseParams } from '../detection/index.ts';
import { checkParamsFitRows } from '../detection/params.ts';
import { ApiError } from '../http/api-error.ts';
import type { FieldProblem } from '../http/validation.ts';

export interface RunRequest {
  algorithm: AlgorithmName;
  params: Record<string, unknown>;
}

/**
 * Validates every run's parameters against its algorithm and the dataset's size before anything
 * is stored, so a bad value is a 400 that names the field, not a job that fails later.
 */
export function validateRunParams(
  runs: readonly RunRequest[],
  rows: number,
  fieldPrefix = 'runs',
): Record<string, number>[] {
  const problems: FieldProblem[] = [];
  const parsed = runs.map((run, index) => {
    const field = (param: string) =>
      fieldPrefix === 'params' ? `params.${param}` : `${fieldPrefix}.${index}.params.${param}`;
    try {
      const params = parseParams(run.algorithm, run.params);
      checkParamsFitRows(run.algorithm, params, rows);
      return params;
    } catch (error) {
      if (!(error instanceof ParamsError)) throw error;
      problems.push(
        ...error.details.map((detail) => ({ field: field(detail.param), problem: detail.problem })),
      );
      return {};
    }
  });
  if (problems.length > 0) {
    const first = problems[0] as FieldProblem;
    throw new ApiError(
      'validation_failed',
      `The parameters are not valid (${first.field} ${first.problem}); fix them and retry.`,
      problems,
    );
  }
  return parsed;
}
