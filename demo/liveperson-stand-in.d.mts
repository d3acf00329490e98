import type { EventEmitter } from 'node:events';

export type Received = {
	at: string;
	account: string;
	visitor: string;
	sid: string | null;
	v: string | null;
	status: number;
	verified: boolean;
	reason?: string;
	attributes?: unknown[];
};

export type Fault = { status?: number; delayMs?: number; hang?: boolean; reset?: boolean; times?: number };

export type LivePersonStandIn = {
	origin: string;
	received: Received[];
	events: EventEmitter;
	setFault(fault: Fault | undefined): void;
	clear(): void;
	close(): Promise<void>;
	/** Fail this share (0 to 1) of the requests to the events route from now on, answering `status` (default 500). */
	setFailShare(share: number, status?: number): void;
	/** How many requests the fail share has failed so far. */
	readonly injected: number;
	readonly failShare: number;
};

export function startLivePerson(options: {
	accounts: string[];
	credentials: { consumerKey: string; consumerSecret: string; token: string; tokenSecret: string };
	port?: number;
	host?: string;
}): Promise<LivePersonStandIn>;
