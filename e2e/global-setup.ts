import { spawnSync } from 'node:child_process';
import { REPO } from '../test-support/nginx.js';

/**
 * Playwright's global setup: `npm run build` (the page into dist/, the
 * command into cli/dist/) once, before any test, so that every run tests
 * this checkout's build and never a dist/ left from an older one. `npm test`
 * leaves the build to this. Vite's file lists are shown only if it fails.
 */
export default function buildFirst(): void {
  const started = Date.now();
  const result = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
  if (result.error) throw new Error(`cannot run npm run build: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`npm run build failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  console.log(`e2e: npm run build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
