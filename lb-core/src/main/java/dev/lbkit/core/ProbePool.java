package dev.lbkit.core;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Prequal's pool of probe results: a fixed array of slots, each empty or holding one server's
 * latest {@link LoadReport} with the time it arrived, the picks it may still serve and its RIF as
 * adjusted by those picks.
 *
 * <p>Lock-free: a slot changes by compare-and-set only, so a result that arrives while picks read
 * the pool replaces a slot whole, and two picks that both exhaust a result clear its slot once. A
 * new result takes, in order of preference, the slot of the same server, an empty or expired slot,
 * or the oldest one. Reading and selecting never allocate; {@link #add} allocates the one entry.
 */
final class ProbePool {

  /** One probe result. Its RIF and remaining uses change as picks use it. */
  static final class Entry {
    private static final AtomicIntegerFieldUpdater<Entry> RIF =
        AtomicIntegerFieldUpdater.newUpdater(Entry.class, "rif");
    private static final AtomicIntegerFieldUpdater<Entry> USES =
        AtomicIntegerFieldUpdater.newUpdater(Entry.class, "usesLeft");

    final Server server;
    final long latencyNanos;
    final long receivedAt;
    private volatile int rif;
    private volatile int usesLeft;

    Entry(Server server, LoadReport report, long receivedAt, int uses) {
      this.server = server;
      this.latencyNanos = report.latencyNanos();
      this.receivedAt = receivedAt;
      this.rif = report.requestsInFlight();
      this.usesLeft = uses;
    }

    int rif() {
      return rif;
    }

    int usesLeft() {
      return usesLeft;
    }

    /** Counts one pick that used this result; returns whether it may serve more. */
    boolean use() {
      RIF.incrementAndGet(this);
      return USES.decrementAndGet(this) > 0;
    }
  }

  private final AtomicReferenceArray<@Nullable Entry> slots;
  private final long maxAgeNanos;
  private final int maxReuse;

  ProbePool(int size, long maxAgeNanos, int maxReuse) {
    this.slots = new AtomicReferenceArray<>(size);
    this.maxAgeNanos = maxAgeNanos;
    this.maxReuse = maxReuse;
  }

  /** Returns the number of slots. */
  int capacity() {
    return slots.length();
  }

  /** Returns the entry in slot {@code i} if it is live at {@code now}, else null (clearing it). */
  @Nullable Entry live(int i, long now) {
    Entry e = slots.get(i);
    if (e != null && now - e.receivedAt >= maxAgeNanos) {
      slots.compareAndSet(i, e, null);
      return null;
    }
    return e;
  }

  /** Empties slot {@code i} if it still holds {@code e}. */
  void clear(int i, Entry e) {
    slots.compareAndSet(i, e, null);
  }

  /** Empties the slot of {@code server}, if any. */
  void remove(Server server) {
    for (int i = 0; i < slots.length(); i++) {
      Entry e = slots.get(i);
      if (e != null && e.server.equals(server)) {
        slots.compareAndSet(i, e, null);
      }
    }
  }

  /**
   * Puts {@code report} of {@code server}, received at {@code now}, in the pool. Gives up after a
   * few lost races (another result just took the slot it chose): the pool is full of fresh results
   * then, and the next probe comes soon.
   */
  void add(Server server, LoadReport report, long now) {
    Entry entry = new Entry(server, report, now, maxReuse);
    for (int attempt = 0; attempt < 4; attempt++) {
      int same = -1;
      int free = -1;
      int oldest = -1;
      Entry sameEntry = null;
      Entry freeEntry = null;
      Entry oldestEntry = null;
      for (int i = 0; i < slots.length(); i++) {
        Entry e = slots.get(i);
        if (e == null || now - e.receivedAt >= maxAgeNanos) {
          if (free < 0) {
            free = i;
            freeEntry = e;
          }
        } else if (e.server.equals(server)) {
          same = i;
          sameEntry = e;
          break;
        } else if (oldestEntry == null || e.receivedAt - oldestEntry.receivedAt < 0) {
          oldest = i;
          oldestEntry = e;
        }
      }
      boolean placed =
          same >= 0
              ? slots.compareAndSet(same, sameEntry, entry)
              : free >= 0
                  ? slots.compareAndSet(free, freeEntry, entry)
                  : slots.compareAndSet(oldest, oldestEntry, entry);
      if (placed) {
        return;
      }
    }
  }

  /** Returns the live entries at {@code now}; O(size). */
  int size(long now) {
    int n = 0;
    for (int i = 0; i < slots.length(); i++) {
      if (live(i, now) != null) {
        n++;
      }
    }
    return n;
  }
}
