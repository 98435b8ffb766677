// torch.optim: optimizers, gradient clipping and learning-rate schedules (import { optim } from 'src/torch/index.ts').
export { Optimizer, type ParamGroup, type Params, type Group } from './optimizer.ts';
export { AdamW, type AdamWOptions } from './adamw.ts';
export { SGD, type SGDOptions } from './sgd.ts';
export { clipGradNorm } from './clip.ts';
export { weightDecayGroups } from './groups.ts';
export { constant, warmupCosine, LRScheduler, type Schedule } from './schedule.ts';
