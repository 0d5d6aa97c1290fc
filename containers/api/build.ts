import { buildPlatformBundle } from './bundle.ts';

/** `npm run build`: builds the platform bundle unconditionally (bundle.ts says what goes in it). */
const began = performance.now();
await buildPlatformBundle();
process.stdout.write(
  `built dist/server.mjs and dist/public in ${((performance.now() - began) / 1000).toFixed(1)} s\n`,
);
