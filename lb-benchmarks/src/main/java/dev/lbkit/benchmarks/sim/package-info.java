/**
 * A seeded, deterministic discrete-event simulation of a client balancing requests over simulated
 * backends with lbkit's own algorithms, and {@link dev.lbkit.benchmarks.sim.TailLatencySimulation},
 * which runs it and writes {@code docs/simulation.md} and {@code docs/simulation-p99.svg}.
 *
 * <h2>Design</h2>
 *
 * {@link dev.lbkit.benchmarks.sim.EventLoop} keeps the simulated clock in nanoseconds and runs
 * scheduled actions in time order; it is also the {@link dev.lbkit.core.Ticker} of everything it
 * drives, so leases and {@link dev.lbkit.core.PeakEwma}'s decay see simulated time. The algorithms
 * are the library's classes, not copies: the {@link dev.lbkit.core.LoadBalancer} facade with an
 * {@link dev.lbkit.core.Algorithm}, whose leases are closed when the simulated response arrives, so
 * least connections and power of two choices see the true number of calls in flight; and {@link
 * dev.lbkit.core.PeakEwma}, counted with its {@code connect}/{@code disconnect} and fed the
 * simulated latency of every call.
 *
 * <p>Every random draw comes from a {@link java.util.SplittableRandom} split from the run's seed
 * into three streams: arrivals, the work of each request (drawn before it is routed) and the
 * algorithm's own draws. Every algorithm therefore meets the same arrivals and the same work for a
 * given seed (common random numbers), and a run prints the same numbers every time.
 *
 * <p>Nothing here is library code; it runs on one thread.
 */
@NullMarked
package dev.lbkit.benchmarks.sim;

import org.jspecify.annotations.NullMarked;
