/**
 * The parts of the containers stack that need no engine: where the offline images come from (the
 * machine's apt sources), how their inputs are hashed, and how the stack picks its images.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  parseDeb822Sources,
  parseOneLineSources,
  pickDebianMirror,
  readAptSources,
} from '../../containers/offline/apt-mirror.ts';
import { hashParts } from '../../containers/offline/image-inputs.ts';
import {
  applyImagesEnvFile,
  officialImages,
  selectedImages,
} from '../../fixtures/stack/containers-images.ts';

test.describe('apt sources', () => {
  test('reads deb822 stanzas, skipping deb-src, disabled stanzas and comments', () => {
    const text = [
      'Types: deb',
      '# a comment inside the stanza',
      'URIs: http://mirror.example/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      '',
      'Types: deb-src',
      'URIs: http://src.example/debian',
      'Suites: bookworm',
      '',
      'Types: deb',
      'Enabled: no',
      'URIs: http://off.example/debian',
      'Suites: bookworm',
    ].join('\n');
    expect(parseDeb822Sources(text, 'debian.sources')).toEqual([
      {
        uri: 'http://mirror.example/debian',
        suites: ['bookworm', 'bookworm-updates'],
        components: ['main'],
        file: 'debian.sources',
      },
    ]);
  });

  test('reads one-line entries with options and trailing comments', () => {
    const text = [
      '# deb http://commented.example/debian bookworm main',
      'deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror.example/debian bookworm main contrib # note',
      'deb-src http://src.example/debian bookworm main',
    ].join('\n');
    expect(parseOneLineSources(text, 'sources.list')).toEqual([
      {
        uri: 'http://mirror.example/debian',
        suites: ['bookworm'],
        components: ['main', 'contrib'],
        file: 'sources.list',
      },
    ]);
  });

  test('picks the source of the release suite, not its security or updates suites', () => {
    const mirror = pickDebianMirror(
      [
        {
          uri: 'http://security.example/debian-security',
          suites: ['bookworm-security'],
          components: [],
          file: 'a',
        },
        {
          uri: 'http://mirror.example/debian/',
          suites: ['bookworm-updates', 'bookworm'],
          components: [],
          file: 'b',
        },
      ],
      'bookworm',
    );
    expect(mirror).toBe('http://mirror.example/debian');
  });

  test('says what to do when no source serves the suite', () => {
    expect(() => pickDebianMirror([], 'bookworm')).toThrow(
      /No apt source for the Debian suite "bookworm".*DEBIAN_MIRROR/,
    );
  });

  test('reads only the files apt reads from an apt folder', async () => {
    const aptDir = await mkdtemp(path.join(os.tmpdir(), 'apt-sources-'));
    try {
      await mkdir(path.join(aptDir, 'sources.list.d'));
      await writeFile(
        path.join(aptDir, 'sources.list.d', 'debian.sources'),
        'Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\nComponents: main\n',
      );
      await writeFile(
        path.join(aptDir, 'sources.list.d', 'old.list.disabled'),
        'deb http://old.example/debian bookworm main\n',
      );
      const sources = await readAptSources(aptDir);
      expect(sources.map((source) => source.uri)).toEqual(['http://mirror.example/debian']);
    } finally {
      await rm(aptDir, { recursive: true, force: true });
    }
  });
});

test.describe('image inputs', () => {
  test('hash the same for the same inputs, whatever their order', () => {
    expect(hashParts({ a: 'x', b: Buffer.from('y') })).toBe(hashParts({ b: 'y', a: 'x' }));
  });

  test('hash differently when a part changes or moves between names', () => {
    const base = hashParts({ Dockerfile: 'FROM a', entrypoint: 'run' });
    expect(hashParts({ Dockerfile: 'FROM b', entrypoint: 'run' })).not.toBe(base);
    expect(hashParts({ Dockerfile: 'FROM a', entrypointx: 'run' })).not.toBe(base);
    expect(hashParts({ ab: 'c' })).not.toBe(hashParts({ a: 'bc' }));
  });
});

test.describe('image selection', () => {
  test('uses the official images when nothing says otherwise', () => {
    expect(selectedImages({})).toEqual(officialImages);
  });

  test('fills only unset variables from images.env, and the environment wins', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'images-env-'));
    try {
      const file = path.join(dir, 'images.env');
      await writeFile(
        file,
        '# built offline\nE2E_POSTGRES_IMAGE=journeys/postgres:bookworm\nE2E_MQTT_IMAGE=journeys/mosquitto:bookworm\nTESTCONTAINERS_RYUK_DISABLED=true\n',
      );
      const env: NodeJS.ProcessEnv = { E2E_MQTT_IMAGE: 'my/broker:1' };
      expect(applyImagesEnvFile(env, file).sort()).toEqual([
        'E2E_POSTGRES_IMAGE',
        'TESTCONTAINERS_RYUK_DISABLED',
      ]);
      expect(selectedImages(env)).toEqual({
        postgres: 'journeys/postgres:bookworm',
        mqtt: 'my/broker:1',
        node: officialImages.node,
      });
      expect(env.TESTCONTAINERS_RYUK_DISABLED).toBe('true');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('changes nothing when there is no images.env', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(applyImagesEnvFile(env, path.join(os.tmpdir(), 'no-such-dir', 'images.env'))).toEqual([]);
    expect(env).toEqual({});
  });
});
