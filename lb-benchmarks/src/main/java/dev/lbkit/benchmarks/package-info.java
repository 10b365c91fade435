/**
 * JMH benchmarks of lbkit's hot paths, each measured beside floor benchmarks and peers in the same
 * run, and {@link dev.lbkit.benchmarks.BenchmarkReport}, which runs them and writes {@code
 * docs/benchmarks.md}.
 *
 * <p>Numbers from a shared 2-core VM vary by 20-50% between runs, so the report reads each hot path
 * as a ratio to an in-run floor (an uncontended {@code AtomicLong.getAndIncrement} for picks,
 * {@code KeyHash.of} for hashing) rather than as absolute nanoseconds. Nothing in this package is
 * library code; {@link dev.lbkit.benchmarks.NginxSmoothWrrBaseline} in particular is a textbook
 * peer kept here only to be measured against.
 */
@NullMarked
package dev.lbkit.benchmarks;

import org.jspecify.annotations.NullMarked;
