import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaFiles } from './json-schemas.js';

// Usage: node packages/contracts/dist/write-json-schemas.js docs/protocol/schemas
const dir = process.argv[2] ?? 'docs/protocol/schemas';
mkdirSync(dir, { recursive: true });
for (const { file, text } of jsonSchemaFiles()) writeFileSync(join(dir, file), text);
console.log(`wrote ${jsonSchemaFiles().length} schemas to ${dir}`);
