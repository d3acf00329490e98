import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

/**
 * `listen(server)` for a test file: the server on a free loopback port, its origin returned,
 * and every server it was given closed, open connections and all, after the file's tests.
 */
export function listenForFile(): (server: Server) => Promise<string> {
	const servers: Server[] = [];
	afterAll(async () => {
		for (const server of servers) server.closeAllConnections();
		await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
	});
	return async (server) => {
		servers.push(server);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	};
}
