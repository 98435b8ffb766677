// The restaurant sector's tasks: a cup to the serving tray, a bowl to the bus bin, a plate to a seat.
import type { TaskDefinition } from '../types.ts';
import { cupOnTray } from './cup-on-tray.ts';
import { bowlToBin } from './bowl-to-bin.ts';
import { plateAtSeat } from './plate-at-seat.ts';

export const restaurantTasks: TaskDefinition[] = [cupOnTray, bowlToBin, plateAtSeat];
