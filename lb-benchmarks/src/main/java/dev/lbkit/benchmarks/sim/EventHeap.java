package dev.lbkit.benchmarks.sim;

import java.util.Arrays;

/**
 * The pending events of a run: a binary min-heap of event handles ordered by (time, sequence), the
 * sequence being the order in which each event was last scheduled, so events due at the same
 * nanosecond run in that order and a run depends on nothing but what was scheduled.
 *
 * <p>An event is a handle into parallel primitive arrays (time, sequence, kind, argument, position
 * in the heap); handles are recycled through a free list, so scheduling allocates nothing once the
 * arrays have grown to the most events ever pending. An event can be moved ({@link #reschedule}) or
 * cancelled in O(log n): a server's next completion is one handle moved each time its queue
 * changes, not a stale event left behind. Single-threaded.
 */
final class EventHeap {

  private long[] time = new long[64];
  private long[] sequence = new long[64];
  private int[] kind = new int[64];
  private int[] argument = new int[64];
  private int[] position = new int[64]; // index in heap, or -1 when free or polled
  private int[] heap = new int[64];
  private int size;
  private int[] free = new int[64];
  private int freeCount;
  private int handles;
  private long scheduled;

  /** Schedules an event of {@code kind} with {@code arg} at {@code at}; returns its handle. */
  int schedule(long at, int kind, int arg) {
    int h = allocate();
    time[h] = at;
    sequence[h] = scheduled++;
    this.kind[h] = kind;
    argument[h] = arg;
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    heap[size] = h;
    position[h] = size;
    size++;
    siftUp(size - 1);
    return h;
  }

  /** Moves pending event {@code h} to {@code at}, ordered after everything already scheduled. */
  void reschedule(int h, long at) {
    time[h] = at;
    sequence[h] = scheduled++;
    int i = position[h];
    siftUp(i);
    siftDown(position[h]);
  }

  /** Removes pending event {@code h} and frees its handle. */
  void cancel(int h) {
    int i = position[h];
    removeAt(i);
    release(h);
  }

  /** Whether no event is pending. */
  boolean isEmpty() {
    return size == 0;
  }

  /** How many events are pending. */
  int size() {
    return size;
  }

  /** The time of the earliest pending event; the heap must not be empty. */
  long peekTime() {
    return time[heap[0]];
  }

  /**
   * Removes the earliest event and returns its handle, whose {@link #time}, {@link #kind} and
   * {@link #argument} stay readable until {@link #release}; the heap must not be empty.
   */
  int poll() {
    int h = heap[0];
    removeAt(0);
    return h;
  }

  /** Frees the handle of an event that was polled. */
  void release(int h) {
    position[h] = -1;
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, freeCount * 2);
    }
    free[freeCount++] = h;
  }

  long time(int h) {
    return time[h];
  }

  int kind(int h) {
    return kind[h];
  }

  int argument(int h) {
    return argument[h];
  }

  private int allocate() {
    if (freeCount > 0) {
      return free[--freeCount];
    }
    if (handles == time.length) {
      int n = handles * 2;
      time = Arrays.copyOf(time, n);
      sequence = Arrays.copyOf(sequence, n);
      kind = Arrays.copyOf(kind, n);
      argument = Arrays.copyOf(argument, n);
      position = Arrays.copyOf(position, n);
    }
    return handles++;
  }

  private void removeAt(int i) {
    int h = heap[i];
    size--;
    if (i != size) {
      int last = heap[size];
      heap[i] = last;
      position[last] = i;
      siftUp(i);
      siftDown(position[last]);
    }
    position[h] = -1;
  }

  private boolean less(int a, int b) {
    return time[a] < time[b] || (time[a] == time[b] && sequence[a] < sequence[b]);
  }

  private void siftUp(int i) {
    int h = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      int p = heap[parent];
      if (!less(h, p)) {
        break;
      }
      heap[i] = p;
      position[p] = i;
      i = parent;
    }
    heap[i] = h;
    position[h] = i;
  }

  private void siftDown(int i) {
    int h = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int c = heap[child];
      int right = child + 1;
      if (right < size && less(heap[right], c)) {
        child = right;
        c = heap[child];
      }
      if (!less(c, h)) {
        break;
      }
      heap[i] = c;
      position[c] = i;
      i = child;
    }
    heap[i] = h;
    position[h] = i;
  }
}
