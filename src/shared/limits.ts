/**
 * Browsers refuse a keepalive request once the keepalive bodies in flight from one page
 * pass 64 KiB. The client keeps each request under this size, and the signing endpoint
 * accepts a little more, so that nothing the client sends is refused for size.
 */
export const MAX_REQUEST_BYTES = 60 * 1024;
export const KEEPALIVE_QUOTA_BYTES = 64 * 1024;

/** How many attributes one request may carry; the browser splits larger batches. */
export const MAX_ATTRIBUTES_PER_REQUEST = 50;
