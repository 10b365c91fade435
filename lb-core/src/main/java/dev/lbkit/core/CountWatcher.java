package dev.lbkit.core;

/**
 * Told of each change of one server's connection count, on the thread that made it, after the new
 * count is readable: what keeps a least-connections index (see {@link LeastPolicy}) in step with
 * counts that any balancer may change. Held weakly by the server; must be quick, lock-free and must
 * not throw.
 */
interface CountWatcher {

  /** Called after the count went from {@code from} to {@code to}. */
  void countChanged(int from, int to);
}
