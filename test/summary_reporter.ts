/**
 * Prints one plain closing line, "Tests: N passed, N failed, N skipped", after vitest's own
 * summary, so CI logs can be read without parsing vitest's colours and layout.
 */
import type { Reporter } from 'vitest/reporters';

type Task = { type: string; mode: string; result?: { state?: string }; tasks?: Task[] };

export default class SummaryReporter implements Reporter {
  onFinished(files: Task[] = [], errors: unknown[] = []): void {
    let passed = 0;
    let failed = errors.length;
    let skipped = 0;
    const visit = (task: Task) => {
      if (task.type === 'test') {
        const state = task.result?.state;
        if (state === 'pass') passed++;
        else if (state === 'fail') failed++;
        else skipped++;
      }
      task.tasks?.forEach(visit);
    };
    for (const file of files) {
      // A file that failed to load has no tests but is a failure.
      if (file.result?.state === 'fail' && !file.tasks?.length) failed++;
      visit(file);
    }
    console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
