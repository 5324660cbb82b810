import { describe, expect, it } from 'vitest';
import { buildTestApi, TOKEN } from '../test-fixtures.js';
import { CONSOLE_CSP } from './console.js';

describe('GET /console', () => {
  it('serves the page with a strict CSP and no referrer, without authentication', async () => {
    const { app } = buildTestApi();
    const res = await app.inject({ url: '/console?gym=g1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('<script type="module" src="/console/console.js"></script>');
    expect(res.body).toContain('data-login');
  });

  it('is the same static page with or without a token: the token is never written into it', async () => {
    const { app } = buildTestApi();
    const without = await app.inject({ url: '/console' });
    const withToken = await app.inject({ url: `/console?gym=g1&token=${TOKEN}` });
    expect(withToken.statusCode).toBe(200);
    expect(withToken.body).toBe(without.body);
    expect(withToken.body).not.toContain(TOKEN);
  });

  it('has no inline script or style', async () => {
    const { app } = buildTestApi();
    const html = (await app.inject({ url: '/console' })).body;
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="/console/console.js">']);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });

  it('answers 400 to a gym id that breaks the id rule', async () => {
    const { app } = buildTestApi();
    for (const gym of ['g:1', '', 'x'.repeat(65), '<script>']) {
      const res = await app.inject({ url: `/console?gym=${encodeURIComponent(gym)}` });
      expect(res.statusCode, gym).toBe(400);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
    expect((await app.inject({ url: '/console?gym=a&gym=b' })).statusCode).toBe(400);
  });

  it('serves the script and the style, and a 304 to a tablet that has them', async () => {
    const { app } = buildTestApi();
    const script = await app.inject({ url: '/console/console.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('new EventSource(');
    const style = await app.inject({ url: '/console/console.css' });
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');

    const etag = String(script.headers.etag);
    const again = await app.inject({ url: '/console/console.js', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });
});
