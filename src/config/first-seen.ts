// The first of a list's objects with each key, for up to a full routing
// table of them. A Map of 100,000s of fresh strings costs a hash and two
// probes per object and grows by rehashing; this table is sized once,
// hashes each key once, and keeps hash and object index side by side in one
// typed array, so a probe touches one slot (and the key only on a hash match).

export class FirstSeen<T> {
  /** Per slot: the key's hash and 1 + the object's index (0 for an empty slot). */
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(
    private readonly objects: readonly T[],
    private readonly keyOf: (o: T) => string,
  ) {
    let size = 16;
    while (size < objects.length * 2) size *= 2;
    this.slots = new Int32Array(size * 2);
    this.mask = size - 1;
  }

  /** The first object with the key of objects[i] (objects[i] itself when it is the first); call in index order. */
  first(i: number): T {
    const o = this.objects[i]!;
    const key = this.keyOf(o);
    const h = hashOf(key);
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const at = slots[s * 2 + 1]!;
      if (at === 0) {
        slots[s * 2] = h;
        slots[s * 2 + 1] = i + 1;
        return o;
      }
      if (slots[s * 2] === h) {
        const other = this.objects[at - 1]!;
        if (this.keyOf(other) === key) return other;
      }
    }
  }

  get(key: string): T | undefined {
    const h = hashOf(key);
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const at = slots[s * 2 + 1]!;
      if (at === 0) return undefined;
      if (slots[s * 2] === h) {
        const other = this.objects[at - 1]!;
        if (this.keyOf(other) === key) return other;
      }
    }
  }
}

/** FNV-1a over the UTF-16 code units, mixed so that the low bits (the slot) depend on all of them. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) | 0;
}
