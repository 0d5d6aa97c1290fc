import { spawn } from 'node:child_process';

export interface StepRun {
  code: number;
  /** The last line the step printed that starts with the verdict prefix, without the prefix. */
  verdict?: string;
}

/**
 * Runs one `npm test` step with its output shown as it comes. A step that prints its own verdict
 * (the quality gate, the flake check) has its stdout read on the way, so the summary can repeat it.
 */
export function runStep(
  command: readonly string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    verdictPrefix?: string;
    echo?: (chunk: Buffer) => void;
  },
): Promise<StepRun> {
  const [program = '', ...args] = command;
  const { verdictPrefix } = options;
  const echo = options.echo ?? ((chunk: Buffer) => process.stdout.write(chunk));
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      stdio: ['inherit', verdictPrefix ? 'pipe' : 'inherit', 'inherit'],
      env: { ...process.env, ...options.env },
    });
    let verdict: string | undefined;
    let pending = '';
    const consider = (line: string) => {
      if (verdictPrefix && line.startsWith(verdictPrefix)) verdict = line.slice(verdictPrefix.length);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      echo(chunk);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) consider(line);
    });
    child.on('error', (error) => {
      console.error(`Could not run ${program}: ${error.message}`);
      resolve({ code: 127 });
    });
    child.on('close', (code, signal) => {
      consider(pending);
      resolve({ code: code ?? (signal ? 128 : 1), verdict });
    });
  });
}
