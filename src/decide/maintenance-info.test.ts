import { describe, expect, it } from 'vitest';
import { MAX_INFO_CHARS, MAX_MESSAGE_CHARS, messageFor, parseMaintenanceInfo } from './maintenance-info.js';

const now = Date.parse('2026-11-21T14:00:00Z');

describe('parseMaintenanceInfo', () => {
  it('reads a message and an end time', () => {
    expect(
      parseMaintenanceInfo('{"message":"Moving to a faster database.","until":"2026-11-21T14:30:00Z"}', now),
    ).toEqual({
      message: { '*': 'Moving to a faster database.' },
      until: Date.parse('2026-11-21T14:30:00Z'),
    });
    expect(parseMaintenanceInfo('{"until":"2026-11-21T15:30:00+01:00"}', now).until).toBe(
      Date.parse('2026-11-21T14:30:00Z'),
    );
  });

  it('reads one message per language and picks the visitor’s', () => {
    const info = parseMaintenanceInfo('{"message":{"en":"Upgrading","de":"Wir aktualisieren","bad tag!":"x"}}', now);
    expect(info.message).toEqual({ en: 'Upgrading', de: 'Wir aktualisieren' });
    expect(messageFor(info, 'de')).toBe('Wir aktualisieren');
    expect(messageFor(info, 'en')).toBe('Upgrading');
    expect(messageFor(info, 'fr')).toBeUndefined();
  });

  it('ignores a malformed, oversized or out-of-range file, and keeps what is sound', () => {
    for (const text of [
      '',
      'nope',
      '[]',
      'null',
      '"x"',
      '{"message":42}',
      '{"message":"ok"',
      '{"message":"ok',
      'x'.repeat(MAX_INFO_CHARS + 1),
    ]) {
      expect(parseMaintenanceInfo(text, now), text.slice(0, 20)).toEqual({});
    }
    expect(parseMaintenanceInfo(JSON.stringify({ message: 'x'.repeat(MAX_MESSAGE_CHARS + 1) }), now)).toEqual({});
    // an end without a zone, in a year far away, or long past
    for (const until of ['2026-11-21T14:30:00', '2036-11-21T14:30:00Z', '2026-11-19T14:30:00Z', 'soon']) {
      expect(parseMaintenanceInfo(JSON.stringify({ message: 'ok', until }), now)).toEqual({ message: { '*': 'ok' } });
    }
  });

  it('keeps hostile text as plain text and strips control and bidi characters', () => {
    const info = parseMaintenanceInfo(
      JSON.stringify({ message: '<img src=x onerror=alert(1)>\u202e\u0007 back soon' }),
      now,
    );
    expect(info.message).toEqual({ '*': '<img src=x onerror=alert(1)> back soon' });
  });
});
