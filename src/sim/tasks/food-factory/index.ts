// The food-factory sector's tasks.
import type { TaskDefinition } from '../types.ts';

export const foodFactoryTasks: TaskDefinition[] = [];
