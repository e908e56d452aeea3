export { freePort } from '../../bench/infra.js';
