/** `npm start`: the whole chain on this machine, no LivePerson account needed. */
import { startDemo } from './server.mjs';

const wanted = Number(process.env.PORT ?? 8080);
let demo;
try {
	demo = await startDemo({ port: wanted });
} catch (error) {
	if (error.code !== 'EADDRINUSE') throw error;
	demo = await startDemo({ port: 0 });
}

console.log(`
  lp-ea demo

  Open ${demo.url}

  brand site + signing endpoint  ${demo.origin}   (POST /lp-ea/events)
  LivePerson stand-in            ${demo.liveperson.origin}   (checks OAuth 1.0 signatures)

  The page shows its outbox, with switches that make "LivePerson" fail half of all
  requests and take the signing endpoint offline: watch a lead wait, retry, arrive once.

  Ctrl-C stops everything.
`);

const stop = async () => {
	await demo.close();
	process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
