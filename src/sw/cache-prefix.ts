/** Every cache backsoon makes starts with this, so the kill switch can find them all. */
export const CACHE_PREFIX = 'backsoon';
