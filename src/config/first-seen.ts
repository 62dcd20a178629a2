// The first object seen for each key, among up to a full routing table of
// them. A Map of 100,000s of fresh strings costs a hash and two probes per
// object, and grows by rehashing; this table is sized once for all the
// objects, hashes each key once and probes typed arrays.

export class FirstSeen<T> {
  private readonly keys: (string | undefined)[];
  private readonly values: (T | undefined)[];
  private readonly hashes: Int32Array;
  private readonly mask: number;

  /** Room for `count` keys. */
  constructor(count: number) {
    let size = 16;
    while (size < count * 2) size *= 2;
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.values = new Array<T | undefined>(size).fill(undefined);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The first value given for `key`; `value` when this is the first. */
  firstFor(key: string, value: T): T {
    const h = hashOf(key);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i];
      if (k === undefined) {
        this.keys[i] = key;
        this.values[i] = value;
        this.hashes[i] = h;
        return value;
      }
      if (this.hashes[i] === h && k === key) return this.values[i]!;
    }
  }

  get(key: string): T | undefined {
    const h = hashOf(key);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i];
      if (k === undefined) return undefined;
      if (this.hashes[i] === h && k === key) return this.values[i];
    }
  }
}

/** FNV-1a over the UTF-16 code units, mixed so that the low bits (the slot) depend on all of them. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) | 0;
}
