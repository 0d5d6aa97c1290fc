import { spawn } from 'node:child_process';

/**
 * A display for the recorder's windows (the browser and Playwright's Inspector are headed) on a
 * machine without one: the display already set when there is one (a desktop, or `xvfb-run`), else
 * an Xvfb of this process's own. Tests of recording use it; a person recording has a display.
 */
export interface VirtualDisplay {
  /** The DISPLAY value, e.g. ":99". */
  display: string;
  stop(): Promise<void>;
}

const startupMs = 10_000;

export async function virtualDisplay(env: NodeJS.ProcessEnv = process.env): Promise<VirtualDisplay> {
  if (env.DISPLAY) return { display: env.DISPLAY, stop: async () => {} };
  // -displayfd: Xvfb picks a free display number and writes it once it accepts clients.
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1600x1000x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  xvfb.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const number = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      xvfb.kill();
      reject(new Error(`Xvfb did not report a display within ${startupMs / 1000} s: ${errors.trim()}`));
    }, startupMs);
    xvfb.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new Error(`Xvfb could not start (${error.message}): install it (Debian: apt-get install xvfb).`),
      );
    });
    xvfb.stdout.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(chunk.toString().trim());
    });
  });
  return {
    display: `:${number}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (xvfb.exitCode !== null) return resolve();
        xvfb.once('exit', () => resolve());
        xvfb.kill();
      }),
  };
}
