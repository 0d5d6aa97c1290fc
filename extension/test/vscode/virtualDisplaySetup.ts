import { startVirtualDisplay } from '../virtualDisplay.ts';

/**
 * A virtual display for the editor under test, so Show browser has somewhere to open its headed
 * Chromium: code-server (and the runs it starts) inherit DISPLAY from the test workers, which
 * inherit it from here. Its own Xvfb even when a display exists, so the tests see only its windows.
 */
export default async function virtualDisplaySetup(): Promise<() => Promise<void>> {
  const screen = await startVirtualDisplay();
  process.env.DISPLAY = screen.display;
  return () => screen.stop();
}
