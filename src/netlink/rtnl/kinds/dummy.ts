// dummy: no options of its own.
import type { KindDriver } from './driver.js';

export const dummy: KindDriver = {
  kind: 'dummy',
  modelKind: 'dummy',
  encode() {},
  decode: () => undefined,
};
