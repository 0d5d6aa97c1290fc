import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

export interface VirtualDisplay {
  /** The DISPLAY value, e.g. `:42`. */
  display: string;
  /** The titles of the top-level windows on it (xwininfo), to see what a headed browser shows. */
  windowTitles(): Promise<string[]>;
  stop(): Promise<void>;
}

/** The titles of the top-level windows on an X display (xwininfo), to see what a headed browser shows. */
export async function windowTitles(display: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('xwininfo', ['-root', '-tree', '-display', display]);
  return [...stdout.matchAll(/^\s+0x[0-9a-f]+ "([^"]+)"/gm)].map((match) => match[1] ?? '');
}

const missing =
  'Xvfb is not installed: apt-get install xvfb x11-utils (the Show browser tests watch a headed Chromium on a virtual display).';

/**
 * An X server of its own (Xvfb, on the first free display number, which it reports on a pipe), so
 * a headed Chromium has somewhere to draw on a machine without a screen.
 */
export function startVirtualDisplay(): Promise<VirtualDisplay> {
  return new Promise((resolve, reject) => {
    const server = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? missing : `Xvfb did not start: ${error.message}`)),
    );
    server.once('exit', (code) =>
      reject(new Error(`Xvfb exited (${code}) before it had a display:\n${stderr}`)),
    );
    let number = '';
    const pipe = server.stdio[3] as NodeJS.ReadableStream;
    pipe.on('data', (chunk: Buffer) => {
      number += chunk.toString();
      if (!number.includes('\n')) return;
      const display = `:${number.trim()}`;
      resolve({
        display,
        windowTitles: () => windowTitles(display),
        stop: () =>
          new Promise((done) => {
            if (server.exitCode !== null) return done();
            server.removeAllListeners('exit');
            server.once('exit', () => done());
            server.kill();
          }),
      });
    });
  });
}
