/**
 * Methods whose request carried a form: when nginx could not pass one on,
 * the app never received it, and the page must say so and never re-send it.
 * (The snippet lists the same methods in its `$request` match.)
 */
export const UNSENT_METHODS: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Whether a request with this method was a form the app did not receive. */
export function isLostForm(method: string): boolean {
  return UNSENT_METHODS.includes(method.toUpperCase());
}
