import { tmpdir } from 'node:os';
import { expect, test } from '@playwright/test';
import { runStep } from '../../scripts/run-step.ts';

const node = (script: string) => [process.execPath, '-e', script];

test.describe('an npm test step', () => {
  test('passes its output through and keeps the last verdict line, even one without a newline', async () => {
    const shown: string[] = [];
    const run = await runStep(
      node(
        "console.log('quality gate: early'); console.log('table'); process.stdout.write('quality gate: FAILED (1 of 3 checks)'); process.exitCode = 1;",
      ),
      { cwd: tmpdir(), verdictPrefix: 'quality gate: ', echo: (chunk) => shown.push(chunk.toString()) },
    );
    expect(run).toEqual({ code: 1, verdict: 'FAILED (1 of 3 checks)' });
    expect(shown.join('')).toBe('quality gate: early\ntable\nquality gate: FAILED (1 of 3 checks)');
  });

  test('passes the step its environment and reports its exit code', async () => {
    const run = await runStep(node('process.exit(process.env.STEP_CODE === "7" ? 7 : 0)'), {
      cwd: tmpdir(),
      env: { STEP_CODE: '7' },
    });
    expect(run).toEqual({ code: 7, verdict: undefined });
  });

  test('a program that cannot start is exit 127', async () => {
    expect((await runStep(['no-such-program-for-a-step'], { cwd: tmpdir() })).code).toBe(127);
  });
});
