// The restaurant sector's tasks.
import type { TaskDefinition } from '../types.ts';

export const restaurantTasks: TaskDefinition[] = [];
