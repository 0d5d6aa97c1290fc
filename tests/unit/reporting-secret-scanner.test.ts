import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import {
  DEFAULT_SECRET_PATTERNS,
  liveSecretPatterns,
  scanRunArtifacts,
  scanText,
} from '../../fixtures/reporting/secret-scanner.ts';
import { zipEntries } from '../../fixtures/reporting/zip-entries.ts';

// Built at run time: Playwright traces embed test sources, so a literal token here would leak into every trace.
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${part({ alg: 'RS256', kid: 'k1' })}.${part({ sub: 'user-1', email: 'a@b.c' })}.${Buffer.from('signature-signature').toString('base64url')}`;
// Tokens are assembled at run time so this file's source (embedded in traces) holds none.
const BEARER = ['Bearer', 'abcdefghijklmnop1234'].join(' ');
const API_KEY = `jk_${'A1b2C3d4E5f6'.repeat(3)}xyz1234`;

/** A minimal zip writer for the tests (stored or deflated entries), built from the format spec. */
function zip(files: Record<string, { text: string; deflate?: boolean }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, { text, deflate = true }] of Object.entries(files)) {
    const nameBytes = Buffer.from(name);
    const raw = Buffer.from(text);
    const data = deflate ? deflateRawSync(raw) : raw;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

test.describe('scanText', () => {
  test('finds bearer tokens, JWTs, platform API keys and registered live secrets, masked', () => {
    const text = `authorization: ${BEARER}\n{"id_token":"${JWT}"}\nkey=${API_KEY}\nx-admin: s3cr3t-bootstrap-value`;
    const found = scanText(text, [
      ...DEFAULT_SECRET_PATTERNS,
      ...liveSecretPatterns({ 'bootstrap token': 's3cr3t-bootstrap-value' }),
    ]);
    expect(found.map((hit) => hit.kind)).toEqual([
      'bearer token',
      'JWT',
      'platform API key',
      'bootstrap token',
    ]);
    for (const hit of found) expect(hit.excerpt).toMatch(/…/);
    expect(found.map((hit) => hit.excerpt).join(' ')).not.toContain('abcdefghijklmnop1234');
  });

  test('passes clean and redacted text', () => {
    const clean =
      'Authorization: Bearer [REDACTED]\n{"id_token":"[REDACTED]"}\nprefix jk_AbC123 shown in the UI\nissuer http://127.0.0.1:1/idp';
    expect(scanText(clean, DEFAULT_SECRET_PATTERNS)).toEqual([]);
  });
});

test.describe('zipEntries', () => {
  test('reads stored and deflated entries through the central directory', () => {
    const archive = zip({
      'trace.trace': { text: 'x'.repeat(500) },
      'resources/a.json': { text: '{"a":1}', deflate: false },
    });
    expect([...zipEntries(archive)].map((entry) => [entry.name, entry.data.toString()])).toEqual([
      ['trace.trace', 'x'.repeat(500)],
      ['resources/a.json', '{"a":1}'],
    ]);
  });

  test('refuses something that is not a zip, saying so', () => {
    expect(() => [
      ...zipEntries(Buffer.from('not a zip at all, just some text that is long enough')),
    ]).toThrow(/not a zip archive/);
  });
});

test.describe('scanRunArtifacts', () => {
  let root = '';
  test.beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'scan-'));
    mkdirSync(path.join(root, 'allure-results'));
    mkdirSync(path.join(root, 'test-results/artifacts/journey-1'), { recursive: true });
  });
  test.afterEach(() => rmSync(root, { recursive: true, force: true }));

  const scan = () =>
    scanRunArtifacts({
      allureResultsDir: path.join(root, 'allure-results'),
      traceDirs: [path.join(root, 'test-results')],
      patterns: DEFAULT_SECRET_PATTERNS,
    });

  test('finds a secret planted in an Allure result and one deflated inside a trace, naming file and entry', async () => {
    writeFileSync(
      path.join(root, 'allure-results/1-result.json'),
      JSON.stringify({ name: 'journey', statusDetails: { message: `token ${JWT}` } }),
    );
    writeFileSync(path.join(root, 'allure-results/2-attachment.txt'), 'nothing here');
    writeFileSync(
      path.join(root, 'test-results/artifacts/journey-1/trace.zip'),
      zip({
        'trace.network': { text: `{"headers":[{"name":"authorization","value":"Bearer ${API_KEY}"}]}` },
      }),
    );
    const report = await scan();
    expect(report.allureFiles).toBe(2);
    expect(report.archives).toBe(1);
    expect(report.findings).toEqual([
      {
        file: path.join('allure-results', '1-result.json'),
        kind: 'JWT',
        excerpt: expect.stringContaining('eyJhbGci'),
      },
      {
        file: path.join('test-results', 'artifacts/journey-1/trace.zip'),
        entry: 'trace.network',
        kind: 'bearer token',
        excerpt: expect.any(String),
      },
      {
        file: path.join('test-results', 'artifacts/journey-1/trace.zip'),
        entry: 'trace.network',
        kind: 'platform API key',
        excerpt: expect.any(String),
      },
    ]);
  });

  test('opens traces that Allure keeps as attachments', async () => {
    writeFileSync(
      path.join(root, 'allure-results/3-attachment.zip'),
      zip({ 'trace.trace': { text: `cookie ${JWT}` } }),
    );
    const report = await scan();
    expect(report.findings).toEqual([
      {
        file: path.join('allure-results', '3-attachment.zip'),
        entry: 'trace.trace',
        kind: 'JWT',
        excerpt: expect.any(String),
      },
    ]);
  });

  test('passes clean results and counts what it scanned', async () => {
    writeFileSync(
      path.join(root, 'allure-results/1-result.json'),
      JSON.stringify({ name: 'journey', parameters: [{ name: 'seed', value: '42' }] }),
    );
    writeFileSync(
      path.join(root, 'test-results/artifacts/journey-1/trace.zip'),
      zip({ 'trace.trace': { text: 'Bearer [REDACTED]' } }),
    );
    const report = await scan();
    expect(report).toEqual({ allureFiles: 1, archives: 1, archiveEntries: 1, findings: [] });
  });

  test('reports zero files when nothing was produced, so the audit can refuse a vacuous pass', async () => {
    rmSync(path.join(root, 'allure-results'), { recursive: true });
    expect((await scan()).allureFiles).toBe(0);
  });
});
