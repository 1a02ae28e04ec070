import { describe, expect, it } from 'vitest';
import { formState, isLostForm } from './lost-form.js';

describe('what became of the request', () => {
  it('is nothing lost for a GET or a HEAD, whatever the marks say', () => {
    expect(formState('GET', undefined)).toBe('none');
    expect(formState('HEAD', 'maybe')).toBe('none');
    expect(isLostForm('get')).toBe(false);
  });

  it('is "not sent" only on nginx’s word that nothing reached the app', () => {
    expect(formState('POST', 'no')).toBe('not-sent');
    expect(formState('delete', ' NO ')).toBe('not-sent');
  });

  // After a read timeout or a reset the app may have the form.
  it('is "maybe sent" when nginx says so, and whenever it said nothing', () => {
    expect(formState('POST', 'maybe')).toBe('maybe-sent');
    expect(formState('PUT', undefined)).toBe('maybe-sent');
    expect(formState('PATCH', '')).toBe('maybe-sent');
    expect(formState('POST', 'yes')).toBe('maybe-sent');
  });
});
