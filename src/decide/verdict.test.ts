import { describe, expect, it } from 'vitest';
import { MARKER_HEADER, PROBE_HEADER } from '../protocol.js';
import { probeVerdict, verdictFromResponse } from './verdict.js';

const now = Date.parse('2026-11-21T14:00:00Z');
const response = (headers: Record<string, string>) => ({ headers: new Headers(headers) });

describe('verdictFromResponse', () => {
  it('is still away when nginx marked the response as its error page', () => {
    expect(verdictFromResponse(response({ [MARKER_HEADER]: 'crash' }), now)).toEqual({
      outcome: 'away',
      reason: 'crash',
      retryAfter: undefined,
    });
  });

  it('tells planned maintenance from a crash and keeps its Retry-After', () => {
    expect(verdictFromResponse(response({ [MARKER_HEADER]: 'maintenance', 'Retry-After': '90' }), now)).toEqual({
      outcome: 'away',
      reason: 'maintenance',
      retryAfter: 90_000,
    });
  });

  it('is a visitor awaiting its turn, not an app away, when the server says busy, with its Retry-After', () => {
    expect(verdictFromResponse(response({ [MARKER_HEADER]: 'busy', 'Retry-After': '2' }), now)).toEqual({
      outcome: 'awaiting-turn',
      retryAfter: 2000,
    });
    expect(verdictFromResponse(response({ [MARKER_HEADER]: 'busy' }), now)).toEqual({
      outcome: 'awaiting-turn',
      retryAfter: undefined,
    });
  });

  it('is back for any response without the marker: the app’s own 404, 500 and 503 included', () => {
    for (const headers of [{}, { 'Retry-After': '60' }, { 'Content-Type': 'text/html' }] as Record<string, string>[]) {
      expect(verdictFromResponse(response(headers), now)).toEqual({ outcome: 'back' });
    }
  });
});

describe('probeVerdict', () => {
  it('is back only with the probe’s header, and no probe without it or the marker', () => {
    expect(probeVerdict(response({ [PROBE_HEADER]: '1' }), now)).toEqual({ outcome: 'back' });
    expect(probeVerdict(response({}), now)).toBe('no-probe');
    expect(probeVerdict(response({ [MARKER_HEADER]: 'busy' }), now)).toMatchObject({ outcome: 'awaiting-turn' });
    expect(probeVerdict(response({ [MARKER_HEADER]: 'crash' }), now)).toMatchObject({ outcome: 'away' });
  });
});
