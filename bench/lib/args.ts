/** Command-line handling the benchmarks share: --help prints the usage and exits, before any work. */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * Prints `usage` and exits 0 on --help or -h; prints it to stderr and exits 2 on an option not in
 * `options` (a value after an option that takes one is not an option).
 */
export function checkArgs(argv: readonly string[], usage: string, options: readonly string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const unknown = argv.filter((a) => a.startsWith('-') && !/^-\d/.test(a) && !options.includes(a));
  if (unknown.length > 0) {
    process.stderr.write(`unknown option ${unknown.join(', ')}\n\n${usage}`);
    process.exit(2);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
/** The values parseArgs returns for an options table. */
export type OptionValues<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O }>>['values'];

/** checkArgs with the names of a parseArgs options table, then parseArgs: each option is named once. */
export function parseCheckedArgs<O extends Options>(argv: string[], usage: string, options: O): OptionValues<O> {
  checkArgs(argv, usage, Object.keys(options).map((name) => `--${name}`));
  return parseArgs({ args: argv, options }).values;
}
