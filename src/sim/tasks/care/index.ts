// The care sector's tasks: hand an object to the patient, put it on the bedside table, press the nurse-call button.
import type { TaskDefinition } from '../types.ts';
import { handOver } from './hand-over.ts';
import { bedsideTable } from './bedside-table.ts';
import { nurseCall } from './nurse-call.ts';

export const careTasks: TaskDefinition[] = [handOver, bedsideTable, nurseCall];
