// macvlan on a lower link (IFLA_LINK), with its mode.
import type { MacvlanOptions } from '../../../model/types.js';
import { AttrLayout, named, u32 } from '../layout.js';
import { layoutDriver, type LinkCtx } from './driver.js';

export const IFLA_MACVLAN_MODE = 1;

const MODES: Record<number, NonNullable<MacvlanOptions['mode']>> = { 1: 'private', 2: 'vepa', 4: 'bridge', 8: 'passthru', 16: 'source' };

const layout = new AttrLayout<LinkCtx>([
  { attr: IFLA_MACVLAN_MODE, field: 'mode', codec: named(u32, MODES, 'macvlan mode'), on: ['create', 'replace'] },
]);

export const macvlan = layoutDriver('macvlan', 'macvlan', layout, { iflaLink: 'link', lowerLink: 'required' });
