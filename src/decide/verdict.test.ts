import { describe, expect, it } from 'vitest';
import { MARKER_HEADER } from '../protocol.js';
import { verdictFromResponse } from './verdict.js';

const now = Date.parse('2026-11-21T14:00:00Z');
const response = (headers: Record<string, string>) => ({ headers: new Headers(headers) });

describe('verdictFromResponse', () => {
  it('is still down when nginx marked the response as its error page', () => {
    expect(verdictFromResponse(response({ [MARKER_HEADER]: 'crash' }), now)).toEqual({
      down: true,
      kind: 'crash',
      retryAfter: undefined,
    });
  });

  it('tells planned maintenance from a crash and keeps its Retry-After', () => {
    expect(verdictFromResponse(response({ [MARKER_HEADER]: 'maintenance', 'Retry-After': '90' }), now)).toEqual({
      down: true,
      kind: 'maintenance',
      retryAfter: 90_000,
    });
  });

  it('is back for any response without the marker: the app’s own 404, 500 and 503 included', () => {
    for (const headers of [{}, { 'Retry-After': '60' }, { 'Content-Type': 'text/html' }] as Record<string, string>[]) {
      expect(verdictFromResponse(response(headers), now)).toEqual({ down: false });
    }
  });
});
