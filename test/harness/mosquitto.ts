/** Mosquitto processes for tests: the same launcher `swapd bench` uses, with the project's configuration. */
export { type MosquittoProcess, startMosquitto } from '../../bench/infra.js';
