/**
 * A seeded, deterministic discrete-event simulator of client processes balancing requests over a
 * fleet of servers with lbkit's algorithms (or your own), and {@link
 * dev.lbkit.benchmarks.sim.Simulate}, its command line. See {@code docs/simulation.md} for the
 * validation against queueing theory and the published scenarios.
 *
 * <h2>The API</h2>
 *
 * A {@link dev.lbkit.benchmarks.sim.Simulation} puts together a {@link
 * dev.lbkit.benchmarks.sim.Fleet} of {@link dev.lbkit.benchmarks.sim.ServerSpec}s (work from a
 * {@link dev.lbkit.benchmarks.sim.ServiceTime}, FIFO or processor sharing over some cores, speed
 * changed by {@link dev.lbkit.benchmarks.sim.Slowdown}s, an {@link
 * dev.lbkit.benchmarks.sim.Antagonist} or a warm-up after joining), a number of clients, {@link
 * dev.lbkit.benchmarks.sim.Arrivals} and a {@link dev.lbkit.benchmarks.sim.Policy}, which gives
 * every client its own {@link dev.lbkit.benchmarks.sim.Router} over its own {@link
 * dev.lbkit.core.Server} objects: the {@link dev.lbkit.core.LoadBalancer} facade with any {@link
 * dev.lbkit.core.Algorithm}, Prequal probing the simulated servers' {@link
 * dev.lbkit.core.LoadReporter}s, your own {@link dev.lbkit.core.ServerPicker}, or a router of your
 * own. {@link dev.lbkit.benchmarks.sim.Simulation#run(int)} gives {@link
 * dev.lbkit.benchmarks.sim.Results} over seeds.
 *
 * <h2>Design</h2>
 *
 * One run is single-threaded: a binary heap of events in primitive arrays ({@code EventHeap}) on a
 * simulated nanosecond clock, which is also the {@link dev.lbkit.core.Ticker} of every balancer.
 * Each server keeps a virtual work clock and its requests in service in a heap by finishing tag, so
 * a speed change or a new request moves one completion event (see {@code SimulationRun}). Latencies
 * go to a log-linear histogram of constant size. Every random draw comes from a {@link
 * java.util.SplittableRandom} split from the run's seed (arrivals, work, antagonists, each client),
 * so every policy meets the same traffic on a given seed.
 */
@NullMarked
package dev.lbkit.benchmarks.sim;

import org.jspecify.annotations.NullMarked;
