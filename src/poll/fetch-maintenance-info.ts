import { MAX_INFO_CHARS, parseMaintenanceInfo, type MaintenanceInfo } from '../decide/maintenance-info.js';
import { PATHS } from '../protocol.js';

/**
 * Reads the operator's maintenance.json (PATHS.maintenanceInfo) and parses
 * it (src/decide/maintenance-info.ts); a missing, unreadable or oversized
 * file is no information. Never throws.
 */
export async function fetchMaintenanceInfo(
  fetch: typeof globalThis.fetch,
  now: () => number,
  signal?: AbortSignal,
): Promise<MaintenanceInfo> {
  try {
    const response = await fetch(PATHS.maintenanceInfo, {
      cache: 'no-store',
      credentials: 'omit',
      signal: signal ?? null,
    });
    if (!response.ok) return {};
    const length = Number(response.headers.get('Content-Length'));
    if (length > MAX_INFO_CHARS) return {};
    return parseMaintenanceInfo(await response.text(), now());
  } catch {
    return {};
  }
}
