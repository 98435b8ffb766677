#!/usr/bin/env node
// The `karakuri` command: registers the TypeScript loader (tsx) and hands over to src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
