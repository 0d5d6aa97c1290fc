import { expect, test } from '@playwright/test';
import { chromiumLaunchOptions, findChromium, quietNetworkFlags } from '../../fixtures/browser.ts';

const existing =
  (...paths: string[]) =>
  (candidate: string) =>
    paths.includes(candidate);
const playwrightPath = () => '/cache/ms-playwright/chromium/chrome';

test.describe('choosing Chromium', () => {
  test('E2E_CHROMIUM wins when it exists', () => {
    expect(
      findChromium({
        env: { E2E_CHROMIUM: '/opt/chrome/chrome' },
        exists: existing('/opt/chrome/chrome', '/usr/bin/chromium'),
        playwrightPath,
      }),
    ).toEqual({ executablePath: '/opt/chrome/chrome', source: 'E2E_CHROMIUM' });
  });

  test('E2E_CHROMIUM that does not exist is an error naming it, not a silent fallback', () => {
    expect(() =>
      findChromium({
        env: { E2E_CHROMIUM: '/opt/missing' },
        exists: existing('/usr/bin/chromium'),
        playwrightPath,
      }),
    ).toThrow(
      'E2E_CHROMIUM points to /opt/missing, which does not exist: fix the path or unset E2E_CHROMIUM.',
    );
  });

  test("Playwright's own Chromium comes before the system's", () => {
    expect(
      findChromium({ env: {}, exists: existing(playwrightPath(), '/usr/bin/chromium'), playwrightPath }),
    ).toEqual({
      executablePath: playwrightPath(),
      source: 'playwright',
    });
  });

  test('then the system Chromium, in order', () => {
    expect(
      findChromium({
        env: {},
        exists: existing('/usr/bin/chromium-browser', '/usr/bin/google-chrome'),
        playwrightPath,
      }),
    ).toEqual({
      executablePath: '/usr/bin/chromium-browser',
      source: 'system',
    });
  });

  test('none at all says how to get one', () => {
    expect(() => findChromium({ env: {}, exists: existing(), playwrightPath })).toThrow(
      "No Chromium found: run `npx playwright install chromium`, or install your system's chromium and set E2E_CHROMIUM to its path.",
    );
  });

  test('launch options carry the quiet-network flags, and --no-sandbox only as root', () => {
    const options = chromiumLaunchOptions({ env: {}, exists: existing('/usr/bin/chromium'), playwrightPath });
    expect(options.executablePath).toBe('/usr/bin/chromium');
    expect(options.args).toEqual(
      process.getuid?.() === 0 ? [...quietNetworkFlags, '--no-sandbox'] : quietNetworkFlags,
    );
    expect(quietNetworkFlags).toEqual([
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ]);
  });
});
