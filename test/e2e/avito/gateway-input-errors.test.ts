import { describe, expect, it } from 'vitest';
import { useGateway } from '../gateway-under-test';

/**
 * What a newcomer sees when a request is wrong: JSON naming each bad field in words (never zod's
 * "Invalid input: expected …"), unknown fields by name, and a URL Node's parser refuses answered
 * like any other 400. Nothing is stored for a refused request.
 */
const gw = useGateway();

describe('input errors a user reads (Avito)', () => {
  it('answers a URL with raw UTF-8 with a JSON 400 saying to percent-encode', async () => {
    const answer = await gw.rawRequest('GET /api/avito/region?search=склад&locationId=637640 HTTP/1.1');
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toMatch(/content-type: application\/json/i);
    const json = JSON.parse(body!) as { status: string; error: { code: string; message: string } };
    expect(json.status).toBe('bad request');
    expect(json.error.code).toBe('invalid_request');
    expect(json.error.message).toContain('percent-encode');
    expect(json.error.message).toContain('--data-urlencode');
    // The same search percent-encoded is accepted by the same route.
    const ok = await fetch(`${gw.stack.gateway.url}/api/avito/region?search=${encodeURIComponent('склад')}&locationId=637640`);
    expect(ok.status).toBe(200);
  });
});
