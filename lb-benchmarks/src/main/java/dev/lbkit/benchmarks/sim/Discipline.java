package dev.lbkit.benchmarks.sim;

/** How a server shares its cores among the requests it holds. */
public enum Discipline {
  /**
   * First come, first served: up to {@code cores} requests are served at once, each at the server's
   * full speed; the others wait in arrival order.
   */
  FIFO,
  /**
   * Processor sharing: every request held is served at once, the {@code cores} shared equally (each
   * at the server's speed times min(1, cores / requests held)), as threads share CPUs.
   */
  PROCESSOR_SHARING
}
