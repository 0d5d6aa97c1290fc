import { expect, test } from '@playwright/test';
import {
  chromiumLaunchOptions,
  findChromium,
  headedDisplayProblem,
  quietNetworkFlags,
} from '../../fixtures/browser.ts';

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
    ).toEqual({ executablePath: '/opt/chrome/chrome', source: 'E2E_CHROMIUM', headlessShell: false });
  });

  test('E2E_CHROMIUM that does not exist is an error naming it, not a silent fallback', () => {
    expect(() =>
      findChromium({
        env: { E2E_CHROMIUM: '/opt/missing' },
        exists: existing('/usr/bin/chromium'),
        playwrightPath,
      }),
    ).toThrow(
      'Setting E2E_CHROMIUM="/opt/missing" names no file: fix the path to a Chromium executable, or unset E2E_CHROMIUM for Playwright\'s own or the system\'s Chromium.',
    );
  });

  test("Playwright's own Chromium comes before the system's", () => {
    expect(
      findChromium({ env: {}, exists: existing(playwrightPath(), '/usr/bin/chromium'), playwrightPath }),
    ).toEqual({
      executablePath: playwrightPath(),
      source: 'playwright',
      headlessShell: false,
    });
  });

  test("Playwright's own Chromium is launched without a path, so Playwright picks its headless shell", () => {
    const options = chromiumLaunchOptions({ env: {}, exists: existing(playwrightPath()), playwrightPath });
    expect(options.executablePath).toBeUndefined();
  });

  test("headless runs take the system's headless shell over the full browser", () => {
    expect(
      findChromium({
        env: {},
        exists: existing('/usr/bin/chromium', '/usr/lib/chromium/chromium-headless-shell'),
        playwrightPath,
      }),
    ).toEqual({
      executablePath: '/usr/lib/chromium/chromium-headless-shell',
      source: 'system',
      headlessShell: true,
    });
  });

  test('headed runs take the full browser even when a headless shell is there', () => {
    expect(
      findChromium({
        env: {},
        exists: existing('/usr/bin/chromium', '/usr/lib/chromium/chromium-headless-shell'),
        playwrightPath,
        headless: false,
      }),
    ).toEqual({ executablePath: '/usr/bin/chromium', source: 'system', headlessShell: false });
  });

  test('a headed run without a display says how to get one, in one sentence', () => {
    expect(headedDisplayProblem({}, 'linux')).toBe(
      'A headed run needs a display: set DISPLAY or run under xvfb-run (xvfb-run npx playwright test --headed …).',
    );
    expect(headedDisplayProblem({ DISPLAY: ':99' }, 'linux')).toBeUndefined();
    expect(headedDisplayProblem({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeUndefined();
    expect(headedDisplayProblem({}, 'darwin')).toBeUndefined();
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
      headlessShell: false,
    });
  });

  test('none at all says how to get one', () => {
    expect(() => findChromium({ env: {}, exists: existing(), playwrightPath })).toThrow(
      "No Chromium found: run `npx playwright install chromium`, or install your system's chromium (and chromium-headless-shell for fast headless runs), or set E2E_CHROMIUM to a Chromium's path.",
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
