import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the command's standard input, then closed. */
  input?: string | NodeJS.ReadableStream;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with every chunk of output (stdout and stderr), for progress logs. */
  onOutput?: (chunk: string) => void;
}

export class CommandFailedError extends Error {
  readonly output: string;
  readonly exitCode: number | null;
  constructor(command: string, exitCode: number | null, output: string) {
    const tail = output.trim().split('\n').slice(-25).join('\n');
    super(`\`${command}\` failed (exit ${exitCode ?? 'signal'}).\n${tail}`);
    this.output = output;
    this.exitCode = exitCode;
  }
}

/**
 * Runs a program without a shell (arguments are never re-parsed) and resolves with its standard
 * output. A failure carries the tail of the combined output, which is where tools such as
 * `docker build` and `debootstrap` explain themselves.
 */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let combined = '';
    const collect = (isStdout: boolean) => (data: Buffer) => {
      const text = data.toString('utf8');
      if (isStdout) stdout += text;
      combined += text;
      options.onOutput?.(text);
    };
    child.stdout.on('data', collect(true));
    child.stderr.on('data', collect(false));
    child.on('error', (error) => reject(new Error(`Could not run ${command}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new CommandFailedError([command, ...args].join(' '), code, combined));
    });
    if (typeof options.input === 'string') child.stdin.end(options.input);
    else if (options.input) options.input.pipe(child.stdin);
    else child.stdin.end();
  });
}

/** True when `command` is found on PATH. */
export async function isOnPath(command: string): Promise<boolean> {
  try {
    await runCommand('sh', ['-c', `command -v "$1"`, 'sh', command]);
    return true;
  } catch {
    return false;
  }
}
