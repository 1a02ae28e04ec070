import { randomBytes } from 'node:crypto';
import { CliError } from './errors.js';
import { STAFF_TOKEN_MAP, TOKEN_LENGTH } from '../src/protocol.js';

/**
 * Staff bypass tokens for planned maintenance: lines of the staff file's
 * token map (`map $backsoon_token $backsoon_staff_token`, in
 * http/backsoon-staff.conf), each a regular expression. A regular
 * expression is matched case-sensitively and never goes into the map's
 * hash, so a token may be as long as the secret link accepts.
 */

/**
 * 48 hex digits (192 random bits), what the staff file recommends
 * (`openssl rand -hex 24`). Hex: any letter case would add nothing a
 * longer token does not.
 */
export const DEFAULT_TOKEN_LENGTH = 48;

/** A random token of `length` hex digits. @throws CliError when the secret link would not accept it */
export function makeToken(length = DEFAULT_TOKEN_LENGTH, random: (bytes: number) => Buffer = randomBytes): string {
  if (!Number.isInteger(length) || length < TOKEN_LENGTH.min || length > TOKEN_LENGTH.max) {
    throw new CliError(
      `--length ${length}: a token must be ${TOKEN_LENGTH.min} to ${TOKEN_LENGTH.max} characters, the lengths the secret link accepts`,
    );
  }
  return random(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

/** The token map's opening, as the staff file writes it. */
export const TOKEN_MAP = `map ${STAFF_TOKEN_MAP.source} ${STAFF_TOKEN_MAP.result}`;

/** The line to add to the token map: the token as an anchored regular expression. */
export function mapLine(token: string): string {
  return `"~^${token}\\z" 1;`;
}
