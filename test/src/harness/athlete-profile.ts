// Stores an athlete's profile through the API (PUT /v1/athletes/{id}/profile), as a coach app does.
import { expect } from 'vitest';
import { API_TOKEN } from './pipeline.js';

/** PUTs `profile` for `athleteId` at the API `apiUrl`; expects 200. */
export async function putProfile(apiUrl: string, athleteId: string, profile: unknown): Promise<void> {
  const response = await fetch(`${apiUrl}/v1/athletes/${athleteId}/profile`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(profile),
  });
  expect(response.status).toBe(200);
}
