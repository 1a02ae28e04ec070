import { Workbox } from 'workbox-window';
import { PATHS } from '../protocol.js';

export interface RegisterOptions {
  /**
   * Where the worker is served.
   * @default '/__backsoon/sw.js'
   */
  scriptUrl?: string;
  /**
   * The pages it covers. `/` is the whole site, allowed by the snippet's
   * Service-Worker-Allowed header.
   * @default '/'
   */
  scope?: string;
}

/**
 * Registers backsoon's service worker, after the page has loaded (the
 * workbox-window default), so it never competes with the app's own first
 * load. Does nothing where service workers are not available.
 *
 * @returns the Workbox instance, for apps that want its events
 */
export function registerBacksoon(options: RegisterOptions = {}): Workbox | undefined {
  if (!('serviceWorker' in navigator)) return undefined;
  const workbox = new Workbox(options.scriptUrl ?? PATHS.serviceWorker, { scope: options.scope ?? '/' });
  void workbox.register();
  return workbox;
}
