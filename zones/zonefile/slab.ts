/**
 * Small byte arrays that live as long as a zone: views into shared 64 KiB slabs. A view is one
 * object where a `new Uint8Array(n)` is three (typed array, array buffer, bytes), which halves the
 * garbage-collector work of loading a zone of a million records. Views share `.buffer`: always use
 * byteOffset with it, as for any Buffer.
 */
const SLAB_SIZE = 64 * 1024;
const MAX_SHARED = SLAB_SIZE / 8;
let slab = new ArrayBuffer(SLAB_SIZE);
let used = 0;

/** A zeroed view of `size` bytes (a fresh array when it is too large to share a slab). */
export function slabAlloc(size: number): Uint8Array {
  if (size > MAX_SHARED) return new Uint8Array(size);
  if (used + size > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    used = 0;
  }
  const out = new Uint8Array(slab, used, size);
  used += size;
  return out;
}
