// The food-factory sector's tasks: bento packing, rejecting a burnt item off the line, picking off a moving conveyor.
import type { TaskDefinition } from '../types.ts';
import { bentoCompartment } from './bento-compartment.ts';
import { rejectDefect } from './reject-defect.ts';
import { conveyorPick } from './conveyor-pick.ts';

export const foodFactoryTasks: TaskDefinition[] = [bentoCompartment, rejectDefect, conveyorPick];
