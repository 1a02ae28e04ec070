/**
 * How long a key of an nginx `map` may be. nginx stores each key in a hash
 * bucket of `map_hash_bucket_size` bytes, beside a pointer and a closing
 * pointer; a longer key stops `nginx -t` with "could not build map_hash,
 * you should increase map_hash_bucket_size: 64". The bypass tokens of
 * backsoon-staff.conf are such keys.
 *
 * https://nginx.org/en/docs/http/ngx_http_map_module.html#map_hash_bucket_size
 * https://nginx.org/en/docs/hash.html
 */

/**
 * nginx's default bucket size: the processor's cache line, 64 bytes on
 * x86-64 and on the 64-bit ARM servers Debian runs on (32 or 128 on some
 * other processors).
 */
export const DEFAULT_MAP_BUCKET_SIZE = 64;

/** A pointer's size on the 64-bit builds this is for. */
const POINTER = 8;

/**
 * The longest key that fits a bucket: nginx's NGX_HASH_ELT_SIZE (a pointer
 * and the key plus 2 bytes, aligned to a pointer) plus one more pointer
 * must not exceed the bucket. 46 characters for the default 64 bytes
 * (checked against nginx 1.22: 46 passes `nginx -t`, 47 fails).
 */
export function maxMapKeyLength(bucketSize = DEFAULT_MAP_BUCKET_SIZE): number {
  const room = Math.floor((bucketSize - 2 * POINTER) / POINTER) * POINTER;
  return Math.max(0, room - 2);
}
