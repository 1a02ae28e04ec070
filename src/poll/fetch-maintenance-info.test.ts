import { describe, expect, it, vi } from 'vitest';
import { MAX_INFO_CHARS } from '../decide/maintenance-info.js';
import { PATHS } from '../protocol.js';
import { fetchMaintenanceInfo } from './fetch-maintenance-info.js';

const now = () => Date.parse('2026-11-21T14:00:00Z');

describe('fetchMaintenanceInfo', () => {
  it('asks maintenance.json without cache or cookies and parses it', async () => {
    const fetch = vi.fn(async () => new Response('{"message":"Moving house","until":"2026-11-21T14:30:00Z"}'));
    expect(await fetchMaintenanceInfo(fetch, now)).toEqual({
      message: { '*': 'Moving house' },
      until: Date.parse('2026-11-21T14:30:00Z'),
    });
    expect(fetch).toHaveBeenCalledWith(
      PATHS.maintenanceInfo,
      expect.objectContaining({ cache: 'no-store', credentials: 'omit' }),
    );
  });

  it('is no information for a missing file, an announced oversized one, or a network error', async () => {
    expect(await fetchMaintenanceInfo(async () => new Response('{"message":"x"}', { status: 404 }), now)).toEqual({});
    const oversized = new Response('{"message":"x"}', { headers: { 'Content-Length': String(MAX_INFO_CHARS + 1) } });
    expect(await fetchMaintenanceInfo(async () => oversized, now)).toEqual({});
    expect(oversized.bodyUsed).toBe(false);
    const failing = async (): Promise<Response> => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchMaintenanceInfo(failing, now)).toEqual({});
  });
});
