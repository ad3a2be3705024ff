import { describe, expect, it } from 'vitest';
import { parseStartArgs, UsageError } from '../src/commands/start.js';

describe('brook start arguments', () => {
  it('parses every option in both --opt value and --opt=value forms', () => {
    expect(
      parseStartArgs([
        '--host',
        '0.0.0.0',
        '--port=0',
        '--data-dir',
        '/tmp/d',
        '--config',
        'server.properties',
        '--log-level=debug',
        '--advertised-host',
        'kafka.local',
        '--set',
        'num.partitions=3',
        '--set=log.retention.ms=1000',
      ]),
    ).toEqual({
      host: '0.0.0.0',
      port: 0,
      dataDir: '/tmp/d',
      configFile: 'server.properties',
      logLevel: 'debug',
      advertisedHost: 'kafka.local',
      set: { 'num.partitions': '3', 'log.retention.ms': '1000' },
      help: false,
    });
    expect(parseStartArgs(['-h']).help).toBe(true);
  });

  it('rejects unknown or malformed options', () => {
    for (const bad of [
      ['--nope'],
      ['stray'],
      ['--port', '70000'],
      ['--port'],
      ['--set', 'novalue'],
      ['--log-level', 'loud'],
    ]) {
      expect(() => parseStartArgs(bad), bad.join(' ')).toThrow(UsageError);
    }
  });
});
