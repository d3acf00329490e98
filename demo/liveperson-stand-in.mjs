// The demo's LivePerson is the package's own `lp-ea/testing` (src/testing/), built to dist/.
export { startLivePerson } from '../dist/testing.mjs';
