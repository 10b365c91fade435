/**
 * JMH benchmarks of lbkit's hot paths, each measured on one thread and on two, beside floor
 * benchmarks and peers in the same run, and {@link dev.lbkit.benchmarks.BenchmarkReport}, which
 * runs them and writes {@code docs/benchmarks.md}.
 *
 * <p>Numbers from a shared 2-core VM vary by 20-50% between runs, so the report reads each hot path
 * as a ratio to an in-run floor (an uncontended {@code AtomicLong.getAndIncrement} for picks,
 * {@code System.nanoTime()} for rate limiters, {@code KeyHash.of} for hashing) and each peer as a
 * ratio to lbkit's row at the same size, rather than as absolute nanoseconds. Peers get the same
 * inputs from {@link dev.lbkit.benchmarks.Fixtures}. Nothing in this package is library code; in
 * particular {@link dev.lbkit.benchmarks.NginxSmoothWrrBaseline} (a textbook peer) and {@link
 * dev.lbkit.benchmarks.DubboPeer} (Apache Dubbo's balancers behind stub invokers) exist only to be
 * measured against.
 */
@NullMarked
package dev.lbkit.benchmarks;

import org.jspecify.annotations.NullMarked;
