export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('brook: no commands yet\n');
  return 1;
}
