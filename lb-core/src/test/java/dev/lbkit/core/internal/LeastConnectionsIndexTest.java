package dev.lbkit.core.internal;

import static dev.lbkit.core.internal.LeastConnectionsIndexProperties.scan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeastConnectionsIndexTest {

  private static final long SEED = 0x1b_c0ffeeL;

  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void shutDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void withNoConnectionsThePicksAreARoundRobin() {
    LeastConnectionsIndex index = new LeastConnectionsIndex(4, slot -> 0);

    List<Integer> picks = new ArrayList<>();
    for (long sequence = 0; sequence < 9; sequence++) {
      picks.add(index.pick(sequence));
    }

    assertThat(picks).containsExactly(0, 1, 2, 3, 0, 1, 2, 3, 0);
  }

  @Test
  void picksTheFewestAndBreaksTiesInRotationOrderFromTheStart() {
    int[] counts = {2, 1, 3, 1, 1};
    LeastConnectionsIndex index = new LeastConnectionsIndex(5, slot -> counts[slot]);

    assertThat(index.pick(0)).isEqualTo(1);
    assertThat(index.pick(2)).isEqualTo(3);
    assertThat(index.pick(4)).isEqualTo(4);
    assertThat(index.pick(5)).isEqualTo(1); // 5 mod 5 = 0

    counts[4] = 0;
    index.countChanged(4, 1, 0);
    assertThat(index.pick(0)).isEqualTo(4);
  }

  @Test
  void theSequenceWrapsAsAnUnsignedNumber() {
    LeastConnectionsIndex index = new LeastConnectionsIndex(10, slot -> 0);

    assertThat(index.pick(-1L)).isEqualTo(5); // 2^64 - 1 = 18446744073709551615
    assertThat(index.pick(Long.MIN_VALUE)).isEqualTo(8); // 2^63 = 9223372036854775808
    assertThat(index.pick(1L << 31)).isEqualTo(8); // 2147483648, past the 32-bit path
  }

  @Test
  void countsPastTheDenseLevelsArePickedExactlyFromTheOverflowLevel() {
    int[] counts = {700, 300, 300, 256, 256, 900};
    LeastConnectionsIndex index = new LeastConnectionsIndex(6, slot -> counts[slot]);

    assertThat(index.pick(0)).isEqualTo(3);
    assertThat(index.pick(4)).isEqualTo(4);
    assertThat(index.pick(5)).isEqualTo(3);

    counts[4] = 255;
    index.countChanged(4, 256, 255);
    assertThat(index.pick(0)).isEqualTo(4);
  }

  @Test
  void aSlotLeftInTooHighALevelByALostDecrementIsFoundAgainAfterARefresh() {
    int[] counts = {1, 1, 1};
    LeastConnectionsIndex index = new LeastConnectionsIndex(3, slot -> counts[slot]);
    counts[2] = 0; // the event went to another index

    index.refresh(2);

    assertThat(index.pick(0)).isEqualTo(2);
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> new LeastConnectionsIndex(0, slot -> 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new LeastConnectionsIndex(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("counts");
    LeastConnectionsIndex index = new LeastConnectionsIndex(3, slot -> 0);
    assertThatThrownBy(() -> index.countChanged(3, 0, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> index.refresh(-1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  /**
   * The race between changes of busy slots and picks: one slot in ten stays idle (0 connections)
   * while two threads move every other slot between 1 and 4 connections, reporting each change. The
   * idle slots' level never changes, so every pick made during the churn must be exactly the first
   * idle slot from its start; the churn in the levels above must never hide them.
   */
  @Test
  void churnAboveTheMinimumNeverDisturbsThePicks() throws Exception {
    int n = 5_000;
    AtomicIntegerArray counts = new AtomicIntegerArray(n);
    for (int slot = 0; slot < n; slot++) {
      counts.set(slot, slot % 10 == 3 ? 0 : 1 + slot % 4);
    }
    LeastConnectionsIndex index = new LeastConnectionsIndex(n, counts::get);
    CountDownLatch go = new CountDownLatch(1);
    AtomicReference<String> failure = new AtomicReference<>();
    List<Future<?>> tasks = new ArrayList<>();
    for (int writer = 0; writer < 2; writer++) {
      SplittableRandom random = new SplittableRandom(SEED + writer);
      tasks.add(
          pool.submit(
              () -> {
                go.await();
                for (int op = 0; op < 200_000; op++) {
                  int slot = random.nextInt(n);
                  if (slot % 10 != 3) {
                    change(index, counts, slot, random.nextBoolean() ? 1 : -1, 1, 4);
                  }
                }
                return null;
              }));
    }
    for (int picker = 0; picker < 2; picker++) {
      SplittableRandom random = new SplittableRandom(SEED - picker);
      tasks.add(
          pool.submit(
              () -> {
                go.await();
                for (int op = 0; op < 200_000; op++) {
                  long sequence = random.nextLong();
                  int start = (int) Long.remainderUnsigned(sequence, n);
                  int want = firstIdleFrom(start, n);
                  int got = index.pick(sequence);
                  if (got != want) {
                    failure.compareAndSet(null, "start " + start + ": " + got + ", not " + want);
                  }
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> task : tasks) {
      task.get(60, TimeUnit.SECONDS);
    }

    assertThat(failure.get()).isNull();
    LeastConnectionsIndexProperties.assertExactFromEveryStart(index, snapshot(counts));
  }

  /**
   * The race between picks and changes at the minimum itself: every slot but one in ten churns
   * between 0 and 3 connections, and pickers also open a connection on the slot they pick and close
   * it again, as a balancer's callers do. During the churn a pick can only be checked loosely: it
   * is in range, and never further round from its start than the first slot that stays idle
   * throughout (that slot is always a candidate). Once the threads have stopped, the pick from
   * every start is the scan's.
   */
  @Test
  void picksDuringChurnAtTheMinimumAreExactOnceItStops() throws Exception {
    int n = 1_000;
    AtomicIntegerArray counts = new AtomicIntegerArray(n);
    SplittableRandom setup = new SplittableRandom(SEED);
    for (int slot = 0; slot < n; slot++) {
      counts.set(slot, slot % 10 == 7 ? 0 : setup.nextInt(4));
    }
    LeastConnectionsIndex index = new LeastConnectionsIndex(n, counts::get);
    CountDownLatch go = new CountDownLatch(1);
    AtomicReference<String> failure = new AtomicReference<>();
    AtomicLong sequence = new AtomicLong();
    List<Future<?>> tasks = new ArrayList<>();
    for (int writer = 0; writer < 2; writer++) {
      SplittableRandom random = new SplittableRandom(SEED + writer);
      tasks.add(
          pool.submit(
              () -> {
                go.await();
                for (int op = 0; op < 200_000; op++) {
                  int slot = random.nextInt(n);
                  if (slot % 10 != 7) {
                    change(index, counts, slot, random.nextBoolean() ? 1 : -1, 0, 3);
                  }
                }
                return null;
              }));
    }
    for (int picker = 0; picker < 2; picker++) {
      tasks.add(
          pool.submit(
              () -> {
                go.await();
                for (int op = 0; op < 100_000; op++) {
                  long s = sequence.getAndIncrement();
                  int start = (int) (s % n);
                  int got = index.pick(s);
                  if (got < 0 || got >= n) {
                    failure.compareAndSet(null, "start " + start + ": " + got + " out of range");
                    continue;
                  }
                  int idle = firstIdleFrom(start, n, 7);
                  if (Math.floorMod(got - start, n) > Math.floorMod(idle - start, n)) {
                    failure.compareAndSet(null, "start " + start + ": " + got + " past " + idle);
                  }
                  if (got % 10 != 7) {
                    open(index, counts, got);
                    close(index, counts, got);
                  }
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> task : tasks) {
      task.get(60, TimeUnit.SECONDS);
    }

    assertThat(failure.get()).isNull();
    LeastConnectionsIndexProperties.assertExactFromEveryStart(index, snapshot(counts));
  }

  /**
   * The race between changes and a rebuild, as an owner runs it: writers report each change to
   * whichever index is current when they report it, while another thread keeps building a new
   * index, publishing it and then calling {@code refreshAll}. Changes made during a build tell only
   * the old index. Once everything has stopped, the current index is exact.
   */
  @Test
  void changesRacingARebuildAreCaughtByTheRefreshAfterPublishing() throws Exception {
    int n = 2_000;
    AtomicIntegerArray counts = new AtomicIntegerArray(n);
    AtomicReference<LeastConnectionsIndex> current =
        new AtomicReference<>(new LeastConnectionsIndex(n, counts::get));
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> tasks = new ArrayList<>();
    for (int writer = 0; writer < 2; writer++) {
      SplittableRandom random = new SplittableRandom(SEED + writer);
      tasks.add(
          pool.submit(
              () -> {
                go.await();
                for (int op = 0; op < 300_000; op++) {
                  change(current.get(), counts, random.nextInt(n), random.nextInt(3) - 1, 0, 5);
                }
                return null;
              }));
    }
    tasks.add(
        pool.submit(
            () -> {
              go.await();
              for (int rebuild = 0; rebuild < 50; rebuild++) {
                LeastConnectionsIndex fresh = new LeastConnectionsIndex(n, counts::get);
                current.set(fresh);
                fresh.refreshAll();
              }
              return null;
            }));
    go.countDown();
    for (Future<?> task : tasks) {
      task.get(60, TimeUnit.SECONDS);
    }

    LeastConnectionsIndexProperties.assertExactFromEveryStart(current.get(), snapshot(counts));
  }

  /**
   * Moves {@code slot}'s count by {@code delta} within {@code [min, max]} with a compare-and-set,
   * reporting the change to {@code index} after it, as a server's counter would.
   */
  private static void change(
      LeastConnectionsIndex index,
      AtomicIntegerArray counts,
      int slot,
      int delta,
      int min,
      int max) {
    int from = counts.get(slot);
    int to = Math.max(min, Math.min(max, from + delta));
    if (to != from && counts.compareAndSet(slot, from, to)) {
      index.countChanged(slot, from, to);
    }
  }

  /** Counts one more connection on {@code slot}, as {@code Server.connectionOpened} does. */
  private static void open(LeastConnectionsIndex index, AtomicIntegerArray counts, int slot) {
    int opened = counts.incrementAndGet(slot);
    index.countChanged(slot, opened - 1, opened);
  }

  /** Counts one connection fewer, never below 0, as {@code Server.connectionClosed} does. */
  private static void close(LeastConnectionsIndex index, AtomicIntegerArray counts, int slot) {
    int from;
    do {
      from = counts.get(slot);
      if (from == 0) {
        return;
      }
    } while (!counts.compareAndSet(slot, from, from - 1));
    index.countChanged(slot, from, from - 1);
  }

  private static int firstIdleFrom(int start, int n) {
    return firstIdleFrom(start, n, 3);
  }

  /** The first slot at or after {@code start}, wrapping, whose number ends in {@code digit}. */
  private static int firstIdleFrom(int start, int n, int digit) {
    for (int step = 0; step < n; step++) {
      int slot = (start + step) % n;
      if (slot % 10 == digit) {
        return slot;
      }
    }
    throw new AssertionError("no idle slot");
  }

  private static int[] snapshot(AtomicIntegerArray counts) {
    int[] copy = new int[counts.length()];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = counts.get(i);
    }
    return copy;
  }

  @Test
  void theReferenceIsLeastScansRule() {
    assertThat(scan(new int[] {1, 0, 0, 1}, 2)).isEqualTo(2);
    assertThat(scan(new int[] {1, 0, 0, 1}, 3)).isEqualTo(1);
    assertThat(scan(new int[] {0, 0, 0}, 1)).isEqualTo(1);
  }
}
