// bridge: STP and timers (linux/if_link.h IFLA_BR_*). Timers travel in
// clock_t (centiseconds); the model keeps seconds. All four change in place.
import { AttrLayout, boolU32, centiseconds, u16 } from '../layout.js';
import { layoutDriver, type LinkCtx } from './driver.js';

export const IFLA_BR_FORWARD_DELAY = 1;
export const IFLA_BR_AGEING_TIME = 4;
export const IFLA_BR_STP_STATE = 5;
export const IFLA_BR_PRIORITY = 6;

const layout = new AttrLayout<LinkCtx>([
  { attr: IFLA_BR_FORWARD_DELAY, field: 'forwardDelay', codec: centiseconds },
  { attr: IFLA_BR_AGEING_TIME, field: 'ageingTime', codec: centiseconds },
  { attr: IFLA_BR_STP_STATE, field: 'stp', codec: boolU32 },
  { attr: IFLA_BR_PRIORITY, field: 'priority', codec: u16 },
]);

export const bridge = layoutDriver('bridge', 'bridge', layout);
