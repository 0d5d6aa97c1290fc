/**
 * The `run:` steps of a GitHub Actions workflow as a runner would execute them: one per job, step
 * and combination of the job's matrix, with `${{ matrix.* }}` filled in and the environment the
 * workflow, the job and the step give it.
 */
import { parse } from 'yaml';

export interface RunStep {
  job: string;
  /** The step's name, or `Run <first line>` as GitHub shows an unnamed step. */
  step: string;
  /** `stack=embedded, shard=1`, or '' for a job without a matrix. */
  combination: string;
  script: string;
  env: Record<string, string>;
  /** The step's working directory, relative to the repository root. */
  workingDirectory: string;
  /** What this check could not make sense of; the step is not checked further. */
  problems: string[];
}

type Matrix = Record<string, unknown>;
type Combination = Record<string, string>;

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, unknown>;
  'working-directory'?: string;
}

interface Job {
  env?: Record<string, unknown>;
  strategy?: { matrix?: Matrix | string };
  defaults?: { run?: { 'working-directory'?: string } };
  steps?: Step[];
}

interface Workflow {
  env?: Record<string, unknown>;
  jobs?: Record<string, Job>;
}

const expression = /\$\{\{\s*(.*?)\s*\}\}/g;

export function runSteps(workflowText: string): RunStep[] {
  const workflow = parse(workflowText) as Workflow;
  const steps: RunStep[] = [];
  for (const [job, definition] of Object.entries(workflow.jobs ?? {})) {
    const { combinations, problem } = matrixCombinations(definition.strategy?.matrix);
    for (const [index, step] of (definition.steps ?? []).entries()) {
      if (typeof step.run !== 'string') continue;
      const name = step.name ?? `Run ${step.run.trim().split('\n')[0]}`;
      for (const combination of combinations) {
        const problems = problem ? [problem] : [];
        const fill = (text: string, where: 'env' | 'run') => fillMatrix(text, combination, where, problems);
        const env: Record<string, string> = {};
        for (const source of [workflow.env, definition.env, step.env]) {
          for (const [key, value] of Object.entries(source ?? {})) env[key] = fill(String(value), 'env');
        }
        steps.push({
          job,
          step: name || `step ${index + 1}`,
          combination: Object.entries(combination)
            .map(([key, value]) => `${key}=${value}`)
            .join(', '),
          script: fill(step.run, 'run'),
          env,
          workingDirectory:
            step['working-directory'] ?? definition.defaults?.run?.['working-directory'] ?? '.',
          problems,
        });
      }
    }
  }
  return steps;
}

/** Every combination of the matrix's lists; `include`/`exclude` are not needed by our workflow yet. */
function matrixCombinations(matrix: Matrix | string | undefined): {
  combinations: Combination[];
  problem?: string;
} {
  if (matrix === undefined) return { combinations: [{}] };
  if (typeof matrix === 'string' || 'include' in matrix || 'exclude' in matrix) {
    return {
      combinations: [{}],
      problem:
        'its matrix is computed or uses include/exclude, which the workflow check does not expand: list each key with its values, or teach tests/unit/workflow-runs.ts the form',
    };
  }
  let combinations: Combination[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    const list = Array.isArray(values) ? values : [values];
    combinations = combinations.flatMap((combination) =>
      list.map((value) => ({ ...combination, [key]: String(value) })),
    );
  }
  return { combinations };
}

/**
 * What GitHub puts in the contexts env: values may name, in the shape it gives them, so settings
 * checked as the config loads (E2E_RUN_ID, say) see a real-looking value, not `${{ … }}`.
 */
const contextStandIns: Record<string, string> = {
  'github.run_id': '12345678901',
  'github.run_number': '42',
  'github.run_attempt': '1',
  'github.sha': '0123456789abcdef0123456789abcdef01234567',
  'github.ref': 'refs/heads/main',
  'github.ref_name': 'main',
};

/**
 * Replaces `${{ matrix.key }}`. In a script any other expression is a problem: the check cannot
 * know its value (and GitHub advises passing such values through env: rather than into the shell).
 * In env values, the contexts above get a stand-in; any other expression is a problem too.
 */
function fillMatrix(
  text: string,
  combination: Combination,
  where: 'env' | 'run',
  problems: string[],
): string {
  return text.replace(expression, (whole, inner: string) => {
    const key = /^matrix\.([A-Za-z0-9_-]+)$/.exec(inner)?.[1];
    if (key !== undefined && key in combination) return combination[key] as string;
    if (key !== undefined) problems.push(`${whole} names no key of the job's matrix`);
    else if (where === 'env' && inner in contextStandIns) return contextStandIns[inner] as string;
    else if (where === 'env') {
      problems.push(
        `its env uses ${whole}, for which the workflow check has no stand-in value: add one to contextStandIns in tests/unit/workflow-runs.ts`,
      );
    } else if (where === 'run') {
      problems.push(
        `its script uses ${whole}, which the workflow check cannot expand: pass it through the step's env: and use the variable`,
      );
    }
    return whole;
  });
}
