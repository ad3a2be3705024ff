// `brook` entry point: dispatches to one file per subcommand under commands/.
import { startCommand } from './commands/start.js';

export const USAGE = `Usage: brook <command> [options]

Commands:
  start    Run a broker in the foreground

Run "brook <command> --help" for the options of a command.
`;

/** Runs the CLI; resolves with the exit code (a long-running command resolves when it stops). */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-V') {
    process.stdout.write('brook 0.1.0\n');
    return 0;
  }
  switch (cmd) {
    case 'start':
      return startCommand(rest);
    default:
      process.stderr.write(`brook: unknown command "${cmd}"\n${USAGE}`);
      return 2;
  }
}
