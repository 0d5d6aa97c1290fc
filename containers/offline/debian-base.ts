import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pickDebianMirror, readAptSources } from './apt-mirror.ts';
import { ensureCommands } from './docker-engine.ts';
import { hashParts, inputsLabel } from './image-inputs.ts';
import { runCommand } from './run-command.ts';

export interface DebianBase {
  suite: string;
  variant: string;
  mirror: string;
  inputs: string;
}

/** Which Debian to bootstrap, and from where: the mirror comes from the machine's own apt sources. */
export async function planDebianBase(suite = 'bookworm'): Promise<DebianBase> {
  const variant = 'minbase';
  const mirror = process.env.DEBIAN_MIRROR ?? pickDebianMirror(await readAptSources(), suite);
  return { suite, variant, mirror, inputs: hashParts({ suite, variant, mirror }) };
}

/**
 * Bootstraps a minimal Debian root file system and imports it as an image: the one base that
 * needs no registry, since every package comes from the Debian archive the machine already reaches.
 */
export async function buildDebianBase(
  base: DebianBase,
  tag: string,
  onOutput: (chunk: string) => void,
): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'debootstrap needs root to build the Debian base image: run `sudo npm run containers:offline`.',
    );
  }
  await ensureCommands([{ command: 'debootstrap', debianPackage: 'debootstrap' }]);
  const root = await mkdtemp(path.join(os.tmpdir(), 'journeys-debian-'));
  try {
    await runCommand('debootstrap', [`--variant=${base.variant}`, base.suite, root, base.mirror], {
      onOutput,
    });
    // Package caches only make the image larger; containers run `apt-get update` before installing.
    await runCommand('sh', [
      '-c',
      'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*',
      'sh',
      root,
    ]);
    await importRootFs(root, tag, base);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function importRootFs(root: string, tag: string, base: DebianBase): Promise<void> {
  const tar = spawn('tar', ['--numeric-owner', '-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarErrors = '';
  tar.stderr.on('data', (data: Buffer) => {
    tarErrors += data.toString('utf8');
  });
  const tarDone = new Promise<number | null>((resolve) => tar.on('close', resolve));
  await runCommand(
    'docker',
    [
      'import',
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      'CMD ["bash"]',
      '--change',
      `LABEL ${inputsLabel}=${base.inputs} org.opencontainers.image.description="Debian ${base.suite} (${base.variant}) bootstrapped from the Debian archive"`,
      '-',
      tag,
    ],
    { input: tar.stdout },
  );
  const tarExit = await tarDone;
  if (tarExit !== 0)
    throw new Error(`tar of the Debian root file system failed (exit ${tarExit}): ${tarErrors.trim()}`);
}
