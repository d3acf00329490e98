/**
 * Browsers refuse a keepalive request once the keepalive bodies in flight from one page
 * pass 64 KiB. The client keeps each request under this size, and the signing endpoint
 * accepts a little more, so that nothing the client sends is refused for size.
 */
export const MAX_REQUEST_BYTES = 60 * 1024;
export const KEEPALIVE_QUOTA_BYTES = 64 * 1024;
/**
 * lp-ea's own share of that quota, which every script on the page shares: well under it. A
 * request past the share goes out as an ordinary one; should the page leave first, the
 * outbox has it and the next page sends it.
 */
export const KEEPALIVE_BUDGET_BYTES = 32 * 1024;

/** How many attributes one request may carry; the browser splits larger batches. */
export const MAX_ATTRIBUTES_PER_REQUEST = 50;
