package dev.lbkit.core;

/**
 * A process-wide counter of server state changes that affect routing (today: health). Writers
 * change the state first and advance the epoch second; a reader that reads the epoch before it
 * reads server state, and finds the epoch unchanged later, knows its view of that state is current.
 */
final class StateEpoch {

  private static final PaddedCounter EPOCH = new PaddedCounter(0);

  private StateEpoch() {}

  /** Returns the current epoch. */
  static long current() {
    return EPOCH.get();
  }

  /** Records that some server's routing state changed; call after the change is visible. */
  static void advance() {
    EPOCH.getAndIncrement();
  }
}
