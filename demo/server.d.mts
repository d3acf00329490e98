import type { SignerOptions } from '../dist/signer.js';
import type { LivePersonStandIn } from './liveperson-stand-in.mjs';

export const DEMO_CREDENTIALS: { consumerKey: string; consumerSecret: string; token: string; tokenSecret: string };
export const SAMPLE_VISIT: { account: string; visitor: string; sid: string };

/** The demo's switches: "LivePerson" failing a share of requests, and the signing endpoint offline. */
export type DemoFaults = { signerOffline: boolean; livepersonFailShare: number };

/** A POST a page made to the demo's signing endpoint: when, from which page (its Referer), with which request id and leads. */
export type DemoPost = { at: number; referer: string; contentType: string; id: string; leadIds: string[] };

export type Demo = {
	origin: string;
	url: string;
	liveperson: LivePersonStandIn;
	faults: DemoFaults;
	/** Every POST pages made to the signing endpoint, oldest first; clear it with `posts.length = 0`. */
	posts: DemoPost[];
	close(): Promise<void>;
};

export function startDemo(options?: { port?: number; host?: string; signer?: Partial<SignerOptions> }): Promise<Demo>;
