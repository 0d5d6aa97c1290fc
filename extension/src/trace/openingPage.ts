/**
 * The page the editor opens first. Playwright's viewer loads traces through its own service worker
 * and only waits for one when no service worker controls the page yet. Under code-server the
 * viewer sits on the editor's origin (`/proxy/<port>/`), where the editor's root service worker
 * already controls every page, so the viewer would ask for its trace before its own worker takes
 * over and stay on "Loading". Registering the viewer's worker here and waiting until it is active
 * means the viewer page loads under it from its first request, wherever it is served.
 *
 * `viewerPath` is relative to this page, e.g. `trace/index.html?trace=…`.
 */
export function openingPage(viewerPath: string): string {
  // JSON is valid JavaScript; "<" escaped so no value can close the script element.
  const viewer = JSON.stringify(viewerPath).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Opening trace…</title>
</head>
<body style="font-family: system-ui, sans-serif; padding: 1em">
<p id="status">Starting Playwright's trace viewer…</p>
<script>
async function whenActivated(registration) {
  for (;;) {
    const worker = registration.installing || registration.waiting || registration.active;
    if (!worker) throw new Error('the service worker disappeared while installing');
    if (worker.state === 'activated') return;
    if (worker.state === 'redundant') throw new Error('the service worker failed to install');
    await new Promise((resolve) => worker.addEventListener('statechange', resolve, { once: true }));
  }
}
(async () => {
  if (!navigator.serviceWorker) {
    throw new Error('this page is not a secure context: serve the editor over HTTPS or open it on localhost');
  }
  await whenActivated(await navigator.serviceWorker.register('trace/sw.bundle.js', { scope: 'trace/' }));
  location.replace(${viewer});
})().catch((error) => {
  document.getElementById('status').textContent = 'The trace viewer could not start: ' + error.message + '.';
});
</script>
</body>
</html>
`;
}
