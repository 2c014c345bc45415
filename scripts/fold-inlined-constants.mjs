// An asc transform (scripts/build-wasm.mjs passes it with --transform). asc compiles an @inline
// call's constant arguments to locals set once (`i32.const 4; local.set $c`), not to constants,
// so a kernel inlined once per channel count and gradient combination (grid_sample.ts's
// pairsBackward*: bilinearPairsLoop with C, padding, alignCorners and the gradients asked for)
// reaches -O3 carrying every other combination's branches: four copies of ~230,000 lines where
// each needs a third to a sixth of that, and -O3's passes grow faster than the function does (its
// optimisation took 10 minutes of the module's build on 2 cores). Propagating those constants and
// dropping the dead branches first takes seconds, and -O3 then sees each copy's own code only.
import { Transform } from 'assemblyscript/transform';

const FOLD = ['precompute-propagate', 'vacuum', 'dce', 'remove-unused-brs', 'remove-unused-names', 'merge-blocks'];

export default class FoldInlinedConstants extends Transform {
  afterCompile(module) {
    module.runPasses(FOLD);
  }
}
