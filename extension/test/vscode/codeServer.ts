import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export const extensionDir = path.resolve(import.meta.dirname, '..', '..');
const repoRoot = path.dirname(extensionDir);
const cacheDir =
  process.env.CODE_SERVER_CACHE ?? path.join(repoRoot, 'node_modules', '.cache', 'code-server');
export const vsixFile = path.join(extensionDir, 'dist', 'journey-explorer.vsix');

/** code-server's entry point as the provisioning script installs it. */
export function codeServerEntry(): string {
  const entry = path.join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) {
    throw new Error(
      `code-server is not installed in ${cacheDir}: run bash extension/scripts/provision-code-server.sh, then these tests again.`,
    );
  }
  return entry;
}

export interface RunningCodeServer {
  url: string;
  workspace: string;
  stop(): Promise<void>;
}

/** User settings that keep the editor quiet and predictable for a test: no welcome, no gallery. */
const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'testing.automaticallyOpenPeekView': 'never',
  'testing.automaticallyOpenTestResults': 'neverOpen',
  'debug.openDebug': 'neverOpen',
  'debug.internalConsoleOptions': 'neverOpen',
  'window.commandCenter': false,
  'chat.disableAIFeatures': true,
  'git.openRepositoryInParentFolders': 'never',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'editor.minimap.enabled': false,
};

export interface CodeServerOptions {
  /**
   * The folders to open, as they are, instead of a copy of the fixture workspace; two or more open
   * as one multi-root workspace.
   */
  folders?: string[];
  /** Variables set for code-server, and so for the extension host and what the extension starts. */
  env?: Record<string, string>;
}

/**
 * Starts code-server (a real VS Code) on a copy of the fixture workspace (or the given folders),
 * with the packaged extension installed into a fresh extensions folder and a fresh user data folder.
 */
export async function startCodeServer(
  baseDir: string,
  options: CodeServerOptions = {},
): Promise<RunningCodeServer> {
  const entry = codeServerEntry();
  if (!existsSync(vsixFile))
    throw new Error(`${vsixFile} is missing: run npm run package -w extension first.`);
  const userDataDir = path.join(baseDir, 'user-data');
  const extensionsDir = path.join(baseDir, 'extensions');
  let workspace = options.folders?.[0];
  if (!workspace) {
    // Inside the extension's test-results, so the copy resolves @playwright/test from the repo.
    workspace = path.join(baseDir, 'workspace');
    await cp(path.join(extensionDir, 'test', 'fixture-workspace'), workspace, {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}test-results`),
    });
  }
  // Several folders open as a .code-workspace file listing them.
  let opened = `folder=${encodeURIComponent(workspace)}`;
  if (options.folders && options.folders.length > 1) {
    const workspaceFile = path.join(baseDir, 'folders.code-workspace');
    await writeFile(
      workspaceFile,
      JSON.stringify({ folders: options.folders.map((folder) => ({ path: folder })) }, null, 2),
    );
    opened = `workspace=${encodeURIComponent(workspaceFile)}`;
  }
  await mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await writeFile(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(quietSettings, null, 2));

  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  await promisify(execFile)(process.execPath, [entry, ...common, '--install-extension', vsixFile], {
    timeout: 120_000,
  });

  const server = spawn(
    process.execPath,
    [
      entry,
      ...common,
      '--auth',
      'none',
      '--bind-addr',
      '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-workspace-trust',
      '--disable-update-check',
      workspace,
    ],
    { env: { ...process.env, PASSWORD: undefined, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await listeningUrl(server);
  return {
    url: `${url}/?${opened}`,
    workspace,
    stop: () =>
      new Promise((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill();
      }),
  };
}

function listeningUrl(server: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match?.[1]) resolve(match[1]);
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.once('exit', (code) =>
      reject(new Error(`code-server exited (${code}) before listening:\n${output}`)),
    );
  });
}
