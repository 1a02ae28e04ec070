import { randomBytes } from 'node:crypto';
import { CliError } from './errors.js';
import { DEFAULT_MAP_BUCKET_SIZE, maxMapKeyLength } from './map-limits.js';

/**
 * Staff bypass tokens for planned maintenance: keys of the
 * `map $cookie_backsoon_bypass` block of backsoon-staff.conf.
 */

/**
 * 40 hex digits: 160 random bits, and it fits nginx's default map bucket
 * (46 characters at most) with room to spare. Hex because nginx compares
 * map keys ignoring case: mixed-case letters would add no strength.
 */
export const DEFAULT_TOKEN_LENGTH = 40;
/** The shortest the secret link accepts (http/backsoon-staff.conf). */
export const MIN_TOKEN_LENGTH = 16;

/** A random token of `length` hex digits. @throws CliError when it could not be a key of the default map */
export function makeToken(length = DEFAULT_TOKEN_LENGTH, random: (bytes: number) => Buffer = randomBytes): string {
  const max = maxMapKeyLength(DEFAULT_MAP_BUCKET_SIZE);
  if (!Number.isInteger(length) || length < MIN_TOKEN_LENGTH || length > max) {
    throw new CliError(
      `--length ${length}: a token must be ${MIN_TOKEN_LENGTH} to ${max} characters to fit nginx's map (map_hash_bucket_size ${DEFAULT_MAP_BUCKET_SIZE})`,
    );
  }
  return random(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

/**
 * The line to add to the map block: a regular expression, as the staff file
 * asks (http/backsoon-staff.conf), so the match is case-sensitive and the
 * key stays out of the map's hash, whatever its length.
 */
export function mapLine(token: string): string {
  return `"~^${token}$" 1;`;
}
