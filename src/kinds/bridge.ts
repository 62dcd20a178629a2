// bridge: STP and timers (linux/if_link.h IFLA_BR_*). Timers travel in
// clock_t (centiseconds); the model keeps seconds. All four change in place.
// A master that takes a member's address when it has none of its own.
// br_dev_setup: ether_setup's MTU range.
import { AttrLayout, boolU32, centiseconds, u16 } from '../netlink/rtnl/layout.js';
import type { LinkCtx, LinkKindDescriptor } from './kind.js';
import { ETHER } from './limits.js';

export const IFLA_BR_FORWARD_DELAY = 1;
export const IFLA_BR_AGEING_TIME = 4;
export const IFLA_BR_STP_STATE = 5;
export const IFLA_BR_PRIORITY = 6;

export const bridge: LinkKindDescriptor = {
  kind: 'bridge',
  infoKind: 'bridge',
  summary: 'Options for kind: bridge.',
  options: [
    { key: 'stp', schema: { description: 'Spanning tree protocol on or off.', type: 'boolean' }, word: { key: 'stp', text: 'onoff' } },
    { key: 'forward-delay', schema: { description: 'Forward delay in seconds.', type: 'integer', minimum: 0, maximum: 21474836 }, word: { key: 'forward_delay', text: 'centis' } },
    { key: 'ageing-time', schema: { description: 'MAC address ageing time in seconds.', type: 'integer', minimum: 0, maximum: 21474836 }, word: { key: 'ageing_time', text: 'centis' } },
    { key: 'priority', schema: { description: 'Bridge priority for STP, 0..65535.', type: 'integer', minimum: 0, maximum: 65535 }, word: { key: 'priority' } },
  ],
  layout: new AttrLayout<LinkCtx>([
    { attr: IFLA_BR_FORWARD_DELAY, field: 'forwardDelay', codec: centiseconds },
    { attr: IFLA_BR_AGEING_TIME, field: 'ageingTime', codec: centiseconds },
    { attr: IFLA_BR_STP_STATE, field: 'stp', codec: boolU32 },
    { attr: IFLA_BR_PRIORITY, field: 'priority', codec: u16 },
  ]),
  master: { takesMemberAddress: true },
  limits: ETHER,
};
