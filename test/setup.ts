/**
 * Runs before every test file (vitest's setupFiles). tfjs-backend-cpu prints a banner suggesting
 * tfjs-node on its first tensor in Node, once per process: once per test file here. Only that
 * banner is dropped; every other warning (a kernel registered twice, say) still shows.
 */
const NODE_BANNER = /looks like you are running TensorFlow\.js in Node\.js/;
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && NODE_BANNER.test(args[0])) return;
  warn(...args);
};
