import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { isOnPath, runCommand } from './run-command.ts';

const isRoot = process.getuid?.() === 0;

/** Where a daemon this script starts writes its log: a system daemon's log belongs with the system's. */
export const dockerdLogFile = '/var/log/dockerd.log';

let aptIndexFresh = false;

/**
 * Installs Debian packages for commands that are missing. Only as root with apt: anywhere else the
 * machine is the user's, and changing it silently would be rude, so we say what to install instead.
 */
export async function ensureCommands(
  needs: Array<{ command: string; debianPackage: string }>,
): Promise<void> {
  const missing: typeof needs = [];
  for (const need of needs) if (!(await isOnPath(need.command))) missing.push(need);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((need) => need.debianPackage))];
  if (!isRoot || !(await isOnPath('apt-get'))) {
    throw new Error(
      `${missing.map((need) => need.command).join(', ')} not found: install ${packages.join(' ')} (for example \`sudo apt-get install -y ${packages.join(' ')}\`) and run again.`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  console.log(`Installing ${packages.join(', ')} from Debian...`);
  if (!aptIndexFresh) {
    await runCommand('apt-get', ['update'], { env });
    aptIndexFresh = true;
  }
  await runCommand('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env });
}

/** Resolves with true when the engine answers within `timeoutMs`. */
export async function engineAnswers(timeoutMs = 10_000): Promise<boolean> {
  const attempt = runCommand('docker', ['info', '--format', '{{.ServerVersion}}']).then(
    () => true,
    () => false,
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const answered = await Promise.race([attempt, timeout]);
  clearTimeout(timer);
  return answered;
}

/**
 * Makes sure a Docker engine answers: installs `docker.io` when the CLI or the daemon is missing and starts
 * `dockerd` in the background when nothing answers (as root, where no service manager runs it).
 * The daemon is left running on purpose: later runs and the containers stack need it.
 */
export async function ensureDockerEngine(): Promise<void> {
  await ensureCommands([{ command: 'docker', debianPackage: 'docker.io' }]);
  if (await engineAnswers()) return;
  // A machine may have the docker CLI alone (talking to a remote engine, or none): the daemon
  // comes with Debian's docker.io.
  if (isRoot) await ensureCommands([{ command: 'dockerd', debianPackage: 'docker.io' }]);
  if (!isRoot || !(await isOnPath('dockerd'))) {
    throw new Error(
      'Docker is not reachable: start the engine (for example `sudo systemctl start docker` or `sudo dockerd`) and run again.',
    );
  }
  console.log(`Starting dockerd in the background (log: ${dockerdLogFile})...`);
  const log = openSync(dockerdLogFile, 'a');
  const daemon = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] });
  let exited: number | null | undefined;
  daemon.on('exit', (code) => {
    exited = code;
  });
  daemon.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await engineAnswers(5_000)) return;
    if (exited !== undefined) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const tail = readFileSync(dockerdLogFile, 'utf8').trim().split('\n').slice(-15).join('\n');
  throw new Error(
    `dockerd did not answer within 60 s${exited !== undefined ? ` (it exited with ${exited})` : ''}: read ${dockerdLogFile} and fix what it reports.\n${tail}`,
  );
}
