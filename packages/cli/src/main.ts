// `brook` entry point: dispatches to one file per subcommand under commands/.
// Commands load lazily, so `brook start` never loads the client and client commands never load the broker.

export const USAGE = `Usage: brook <command> [options]

Commands:
  start    Run a broker in the foreground
  topic    Create, list, describe, delete topics and change their configs
  produce  Write records from stdin or a file, one per line
  consume  Print records as text, JSON or a format string
  group    List, describe (with lag), reset offsets of and delete consumer groups
  cluster  Show the cluster id, controller and brokers

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
      return (await import('./commands/start.js')).startCommand(rest);
    case 'topic':
      return (await import('./commands/topic.js')).topicCommand(rest);
    case 'produce':
      return (await import('./commands/produce.js')).produceCommand(rest);
    case 'consume':
      return (await import('./commands/consume.js')).consumeCommand(rest);
    case 'group':
      return (await import('./commands/group.js')).groupCommand(rest);
    case 'cluster':
      return (await import('./commands/cluster.js')).clusterCommand(rest);
    default:
      process.stderr.write(`brook: unknown command "${cmd}"\n${USAGE}`);
      return 2;
  }
}
