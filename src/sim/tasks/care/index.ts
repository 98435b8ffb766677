// The care sector's tasks.
import type { TaskDefinition } from '../types.ts';

export const careTasks: TaskDefinition[] = [];
