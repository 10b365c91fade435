package dev.lbkit.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Floors: the cheapest operations a hot path is built from, measured in the same run so that the
 * other benchmarks read as ratios ("a round-robin pick costs 1.3 atomic increments") that survive a
 * noisy machine better than nanoseconds do.
 *
 * <ul>
 *   <li>{@link #atomicGetAndIncrement}: one {@code AtomicLong.getAndIncrement} on a counter shared
 *       by all benchmark threads; the floor of every pick, which advances one shared counter.
 *   <li>{@link #longAdderIncrement}: {@code LongAdder.increment}, the floor of a stats counter.
 *   <li>{@link #nanoTime}: {@code System.nanoTime()}, the floor of anything that reads the clock.
 *   <li>{@link #threadLocalRandomNextInt}: {@code ThreadLocalRandom.current().nextInt(10)}, the
 *       floor of a random choice.
 *   <li>{@link #constant}: returns a constant; JMH's own overhead per operation.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class FloorBenchmark {

  private final AtomicLong counter = new AtomicLong();
  private final LongAdder adder = new LongAdder();

  /** One increment of a shared {@code AtomicLong}. */
  @Benchmark
  public long atomicGetAndIncrement() {
    return counter.getAndIncrement();
  }

  /** One increment of a shared {@code LongAdder}. */
  @Benchmark
  public void longAdderIncrement() {
    adder.increment();
  }

  /** One read of the monotonic clock. */
  @Benchmark
  public long nanoTime() {
    return System.nanoTime();
  }

  /** One bounded draw from the thread's own random generator. */
  @Benchmark
  public int threadLocalRandomNextInt() {
    return ThreadLocalRandom.current().nextInt(10);
  }

  /** Nothing but JMH's call and result consumption. */
  @Benchmark
  public int constant() {
    return 42;
  }
}
