/** What test/browser_layers.test.ts asks of its page (test/browser_layers/page.ts) and gets back. */
export interface BackendResult {
  backend: string;
  /** false when the backend did not start (webgpu without an adapter): nothing else is set. */
  started: boolean;
  /** max |output - input| of the untrained spatial transformer. */
  identityError?: number;
  /** model.fit's loss per epoch. */
  losses?: number[];
  /** Whether training moved the transformer head's kernel off zero. */
  headMoved?: boolean;
  /** Per storage scheme (indexeddb, localstorage): the loaded model predicts exactly what the saved one did. */
  identical?: Record<string, boolean>;
}

export type LayersRun = (backends: string[]) => Promise<{ adapter: string | null; results: BackendResult[] }>;
