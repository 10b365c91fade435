package dev.lbkit.core;

/** Turns a shared 64-bit pick sequence into an index. */
final class Sequences {

  private Sequences() {}

  /**
   * Returns {@code sequence mod size}, reading {@code sequence} as unsigned so the order stays 0,
   * 1, ..., size - 1, 0, ... for 2^64 picks. Uses 32-bit division while the sequence fits in 31
   * bits (the first two billion picks), where it is cheaper than 64-bit division on x86.
   *
   * @param size the number of slots, at least 1
   */
  static int index(long sequence, int size) {
    if ((sequence >>> 31) == 0) {
      return (int) sequence % size;
    }
    return (int) Long.remainderUnsigned(sequence, size);
  }
}
