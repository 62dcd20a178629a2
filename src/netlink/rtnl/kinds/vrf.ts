// vrf: an L3 master device bound to a routing table.
import { AttrLayout, u32 } from '../layout.js';
import { layoutDriver, type LinkCtx } from './driver.js';

export const IFLA_VRF_TABLE = 1;

const layout = new AttrLayout<LinkCtx>([{ attr: IFLA_VRF_TABLE, field: 'table', codec: u32, on: ['create', 'replace'] }]);

export const vrf = layoutDriver('vrf', 'vrf', layout);
