/** What test/browser.test.ts passes to the page (test/browser/page.ts) and gets back. */
import type { AffineGridFixture, GridSampleFixture } from '../helpers.js';

/** A fixture without its expected values (the test keeps those). */
export type PageSampleCase = Omit<GridSampleFixture, 'name' | 'output' | 'dInput' | 'dGrid'>;
export type PageAffineCase = Omit<AffineGridFixture, 'name' | 'grid' | 'dTheta'>;

/** Per backend: [output, dInput, dGrid] per sample case, [grid, dTheta] per affine case. */
export interface PageResult {
  samples: number[][][];
  affine: number[][][];
}

export interface BrowserRunResult {
  /** null when the browser offers no WebGPU adapter (then nothing ran). */
  adapter: string | null;
  gpuErrors: string[];
  webgpu: PageResult | null;
  cpu: PageResult | null;
}

export type BrowserRun = (sample: PageSampleCase[], affine: PageAffineCase[]) => Promise<BrowserRunResult>;
