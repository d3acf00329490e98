// The one name lp-ea takes from the Workers runtime's own module, for compiling this package
// only: durable-object-base.ts gives it types of our own, so that the published declarations
// need no @cloudflare/workers-types.
declare module 'cloudflare:workers' {
	export abstract class DurableObject {
		constructor(ctx: unknown, env: unknown);
	}
}
