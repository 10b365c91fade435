package dev.lbkit.benchmarks.sim;

import java.util.Arrays;

/**
 * The requests one server holds, in primitive arrays: those in service in a min-heap by finishing
 * tag (the server's virtual work clock at which each is done), the others in a FIFO ring. Grows,
 * never shrinks; no allocation once grown.
 */
final class ServiceQueue {

  private double[] tags = new double[4];
  private int[] serving = new int[4];
  private int servingCount;
  private int[] waiting = new int[4];
  private int head;
  private int waitingCount;

  int servingCount() {
    return servingCount;
  }

  int waitingCount() {
    return waitingCount;
  }

  /** The smallest finishing tag; some request must be in service. */
  double minTag() {
    return tags[0];
  }

  /** Puts {@code call} in service, done when the work clock reaches {@code tag}. */
  void serve(int call, double tag) {
    if (servingCount == tags.length) {
      tags = Arrays.copyOf(tags, servingCount * 2);
      serving = Arrays.copyOf(serving, servingCount * 2);
    }
    int i = servingCount++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (tags[parent] <= tag) {
        break;
      }
      tags[i] = tags[parent];
      serving[i] = serving[parent];
      i = parent;
    }
    tags[i] = tag;
    serving[i] = call;
  }

  /** Takes the request in service with the smallest tag out of service; returns it. */
  int finishFirst() {
    int first = serving[0];
    int n = --servingCount;
    if (n > 0) {
      double tag = tags[n];
      int call = serving[n];
      int i = 0;
      int half = n >>> 1;
      while (i < half) {
        int child = 2 * i + 1;
        if (child + 1 < n && tags[child + 1] < tags[child]) {
          child++;
        }
        if (tags[child] >= tag) {
          break;
        }
        tags[i] = tags[child];
        serving[i] = serving[child];
        i = child;
      }
      tags[i] = tag;
      serving[i] = call;
    }
    return first;
  }

  /** Queues {@code call} behind the others waiting. */
  void await(int call) {
    if (waitingCount == waiting.length) {
      int[] grown = new int[waiting.length * 2];
      for (int k = 0; k < waitingCount; k++) {
        grown[k] = waiting[(head + k) % waiting.length];
      }
      waiting = grown;
      head = 0;
    }
    waiting[(head + waitingCount) % waiting.length] = call;
    waitingCount++;
  }

  /** Takes the request that has waited longest; some must be waiting. */
  int next() {
    int call = waiting[head];
    head = (head + 1) % waiting.length;
    waitingCount--;
    return call;
  }
}
