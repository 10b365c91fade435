package dev.lbkit.services.kit;

import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Structured log lines, one JSON object a line: {@code ts}, {@code level}, {@code service}, {@code
 * action}, then the fields given in order ({@code request_id}, {@code outcome}, {@code latency_ms}
 * ...).
 *
 * <pre>{@code
 * log.info("allocate").field("request_id", id).field("track_id", track)
 *     .outcome("success").latencyMs(12).write();
 * }</pre>
 *
 * <p>Callers never pass tokens, secrets or request bodies; the kit itself logs no header but the
 * request id. Thread-safe: each line is built apart and written whole.
 */
public final class JsonLog {
  private final String service;
  private final Consumer<String> sink;
  private final Clock clock;

  private JsonLog(String service, Consumer<String> sink, Clock clock) {
    this.service = Objects.requireNonNull(service, "service");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Returns a log that writes to standard output, the one place a service prints from. */
  @SuppressWarnings("SystemOut") // the services' one writer of standard output
  public static JsonLog stdout(String service) {
    PrintStream out = System.out;
    return new JsonLog(service, out::println, Clock.systemUTC());
  }

  /** Returns a log that hands each line to {@code sink} (tests collect them). */
  public static JsonLog to(String service, Consumer<String> sink) {
    return new JsonLog(service, sink, Clock.systemUTC());
  }

  /** Starts an info line about {@code action}. */
  public Line info(String action) {
    return new Line("info", action);
  }

  /** Starts a warning line about {@code action}. */
  public Line warn(String action) {
    return new Line("warn", action);
  }

  /** Starts an error line about {@code action}. */
  public Line error(String action) {
    return new Line("error", action);
  }

  /** One line being built; {@link #write()} emits it. Not thread-safe. */
  public final class Line {
    private final Map<String, @Nullable Object> fields = new LinkedHashMap<>();

    private Line(String level, String action) {
      fields.put("ts", clock.instant().toString());
      fields.put("level", level);
      fields.put("service", service);
      fields.put("action", action);
    }

    /** Adds a field; a null value is written as JSON null. */
    public Line field(String name, @Nullable Object value) {
      fields.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    /** Adds {@code outcome}. */
    public Line outcome(String outcome) {
      return field("outcome", outcome);
    }

    /** Adds {@code latency_ms} from nanoseconds, to a tenth of a millisecond. */
    public Line latencyNanos(long nanos) {
      return field("latency_ms", Math.round(nanos / 100_000.0) / 10.0);
    }

    /** Adds an exception's class and message (never its stack, which may quote input). */
    public Line exception(Throwable e) {
      field("exception", e.getClass().getName());
      return field("error", String.valueOf(e.getMessage()));
    }

    /** Writes the line. */
    public void write() {
      sink.accept(Json.write(fields));
    }
  }
}
