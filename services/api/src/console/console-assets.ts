import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface ConsoleAsset {
  readonly body: string;
  readonly contentType: string;
  /** Strong ETag of the body, so a tablet revalidates with a 304 instead of downloading again. */
  readonly etag: string;
}

export interface ConsoleAssets {
  readonly page: ConsoleAsset;
  readonly script: ConsoleAsset;
  readonly style: ConsoleAsset;
}

/**
 * The folder of the page's files. tsc emits only JavaScript, so the files stay in the sources: this module
 * is `src/console/console-assets.ts` under vitest and `dist/console/console-assets.js` under node, and
 * `../../src/console/page/` names the same folder from both (the image ships `src`, see the Dockerfile).
 */
export const CONSOLE_PAGE_DIR = new URL('../../src/console/page/', import.meta.url);

function load(dir: URL, file: string, contentType: string): ConsoleAsset {
  const body = readFileSync(new URL(file, dir), 'utf8');
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType, etag };
}

/** Reads the page's files once, at start: a missing file stops the service then, not at the first visit. */
export function loadConsoleAssets(dir: URL = CONSOLE_PAGE_DIR): ConsoleAssets {
  return Object.freeze({
    page: load(dir, 'index.html', 'text/html; charset=utf-8'),
    script: load(dir, 'console.js', 'text/javascript; charset=utf-8'),
    style: load(dir, 'console.css', 'text/css; charset=utf-8'),
  });
}
