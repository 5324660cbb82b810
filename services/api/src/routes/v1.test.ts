import { describe, expect, it } from 'vitest';
import { buildTestApi, TOKEN } from '../test-fixtures.js';

describe('/v1 authentication', () => {
  it('requires the bearer token', async () => {
    const { app } = buildTestApi();
    expect((await app.inject({ url: '/v1/dead-letters' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/v1/dead-letters', headers: { authorization: `Bearer ${TOKEN}x` } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/v1/dead-letters', headers: { authorization: TOKEN } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/v1/dead-letters', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
  });

  it('does not take the token from the query string (only the event stream does)', async () => {
    const { app } = buildTestApi();
    expect((await app.inject({ url: `/v1/dead-letters?token=${TOKEN}` })).statusCode).toBe(401);
  });
});
