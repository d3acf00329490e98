/**
 * lp-ea/testing: a local LivePerson for a brand's own integration tests. Start it on a free
 * port with your accounts and API key, point your signing endpoint at it (`domain` /
 * `LP_DOMAIN`), drive your page, then read what "LivePerson" received and whether each
 * signature verified; make it fail on demand to test your error handling.
 */
export {
	startLivePerson,
	type Fault,
	type LivePersonStandIn,
	type Received,
	type StandInOptions,
	type StandInSignerOptions,
} from './liveperson-stand-in.js';
export { StandInArgumentError, StandInAssertionError, StandInTimeoutError } from './errors.js';
export type { ExpectRequestsOptions } from './expect-requests.js';
export { TIMESTAMP_WINDOW_S, type Credentials } from './oauth-check.js';
export type { VisitFilter } from './seen.js';
