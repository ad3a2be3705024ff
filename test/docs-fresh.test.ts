import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { CONFIG_DOC_PATH, renderConfigReference } from '../scripts/docs/config-reference.js';

test('docs/configuration.md matches the broker config definitions (run `npm run gen` when this fails)', () => {
  expect(readFileSync(CONFIG_DOC_PATH, 'utf8')).toBe(renderConfigReference());
});
